// Every route of the API, as the bad-input tests walk them: method, path template (":id"
// replaced per test), whether it reads a JSON body, and the query parameters it reads. Made
// from the routes' own declarations (lib/api/routes.ts), so a new route is walked too.
import { API_ROUTES } from '../../lib/api/routes.ts';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Reads a JSON body (an object, or for POST /events also a list or NDJSON). */
  body: boolean;
  query: string[];
  /** A live event stream once its checks pass. */
  stream?: boolean;
}

export const ROUTES: readonly RouteSpec[] = API_ROUTES.map((r) => ({
  method: r.method,
  path: r.path,
  body: r.body !== undefined,
  query: [...Object.keys(r.query?.properties ?? {}), ...(r.auth !== 'none' && r.auth.queryToken ? ['access_token'] : [])],
  ...(Object.values(r.responses).some((a) => a.contentType === 'text/event-stream') ? { stream: true } : {}),
}));

/** Builds raw HTTP/1.1 request bytes; `body` as given (a Buffer may hold any bytes). */
export function buildRequest(method: string, target: string, headers: Record<string, string>, body?: string | Buffer): Buffer {
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const all: Record<string, string> = { host: 'localhost', connection: 'close', ...headers };
  if (bytes !== undefined && !Object.keys(all).some((h) => h.toLowerCase() === 'content-length')) all['content-length'] = String(bytes.length);
  const head = `${method} ${target} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes ?? Buffer.alloc(0)]);
}
