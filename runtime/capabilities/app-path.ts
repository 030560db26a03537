// Where a ctx.apps path may lead: only under the app's configured base URL. Pure; the sandbox
// host calls it before every request (host/app-requests.ts), so the rule lives in one place.

const MAX_PATH_LENGTH = 4096;

/**
 * The URL for `path` under `base` (e.g. "http://radarr:7878/radarr" + "/api/v3/movie/1?x=1"), or
 * why it is refused. A path is relative to the base and stays under it: it starts with one "/",
 * has no scheme, host, backslash, fragment, whitespace or control character, and no "." or ".."
 * segment, also percent-encoded (which an app's router would decode), nor an encoded "/" or "\".
 */
export function resolveAppUrl(base: URL, path: unknown): URL | string {
  if (typeof path !== 'string') return 'the path must be a string such as "/api/v3/movie/1"';
  if (path.length > MAX_PATH_LENGTH) return `the path is longer than ${MAX_PATH_LENGTH} characters`;
  if (!path.startsWith('/') || path.startsWith('//')) return 'the path must start with a single "/" (relative to the app\'s base URL, e.g. "/api/v3/movie/1"), not a URL';
  if (/[\x00-\x20\x7f\\#]/.test(path)) return 'the path must not hold whitespace, control characters, "\\" or "#"';
  const queryAt = path.indexOf('?');
  const pathname = queryAt === -1 ? path : path.slice(0, queryAt);
  for (const segment of pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'the path has an invalid percent-encoding';
    }
    if (decoded === '.' || decoded === '..') return 'the path must not hold "." or ".." segments';
    if (decoded !== segment && /[/\\]/.test(decoded)) return 'the path must not hold an encoded "/" or "\\"';
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${basePath}${path}`, base.origin);
  if (url.origin !== base.origin || !url.pathname.startsWith(`${basePath}/`)) return 'the path leaves the app\'s base URL';
  return url;
}
