// How the *arr apps turn values into Custom Script variables (.NET's ToString under the invariant
// culture, string.Join, Path.GetDirectoryName), applied to what their webhook bodies hold. Pure.
// The rules are read from Radarr's and Sonarr's CustomScript.cs; see docs/arr-scripts.md.

/** A JSON object of a webhook body, or undefined for anything else. */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * A value as `.ToString()` gives it and as an environment holds it: null (left out of the body)
 * is the empty string, as .NET writes `NAME=` for a null value; booleans are `True`/`False`.
 */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return '';
}

/** `string.Join(separator, values)`: a null entry is an empty one. */
export function join(values: unknown, separator: string, pick: (item: unknown) => unknown = (item) => item): string {
  return list(values).map((item) => text(pick(item))).join(separator);
}

/** A field of each object of a list (`episodes[].title`), joined. */
export function joinField(values: unknown, field: string, separator: string): string {
  return join(values, separator, (item) => obj(item)?.[field]);
}

/** An enum's .NET name from the webhook's camelCase one: `missingFromDisk` -> `MissingFromDisk`. */
export function pascal(value: unknown): string {
  const name = text(value);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A `[Flags]` enum's ToString from the list of names the webhook sends: `0` when none. */
export function flags(names: unknown): string {
  const set = list(names).filter((n): n is string => typeof n === 'string' && n !== '');
  return set.length === 0 ? '0' : set.join(', ');
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A DateTime's ToString() under the invariant culture (`MM/dd/yyyy HH:mm:ss`, no fraction), from
 * the webhook's ISO time (UTC, as the apps serialize every DateTime). Not a time: empty.
 */
export function dotnetDate(value: unknown): string {
  if (typeof value !== 'string') return '';
  const match = ISO_UTC.exec(value);
  if (!match) return '';
  let [, y, mo, d, h, mi, s] = match as unknown as string[];
  const zone = match[7];
  if (zone !== undefined && zone !== 'Z') {
    // Not what the apps send, but a time with an offset is still a time: shown in UTC as theirs are.
    const at = new Date(value.replace(/(\.\d{3})\d+/, '$1'));
    if (Number.isNaN(at.getTime())) return '';
    const iso = at.toISOString();
    [y, mo, d, h, mi, s] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13), iso.slice(14, 16), iso.slice(17, 19)];
  }
  return `${mo}/${d}/${y} ${h}:${mi}:${s}`;
}

/** dotnetDate of a field of each object of a list (`deletedFiles[].dateAdded`), joined. */
export function joinDates(values: unknown, field: string, separator: string): string {
  return list(values).map((item) => dotnetDate(obj(item)?.[field])).join(separator);
}

/**
 * `date.ToUniversalTime().ToString("s") + "Z"` (Prowlarr): `yyyy-MM-ddTHH:mm:ssZ`, no fraction,
 * from the webhook's ISO time. Not a time: empty.
 */
export function sortableUtc(value: unknown): string {
  const shown = dotnetDate(value);
  if (shown === '') return '';
  const [date, time] = shown.split(' ') as [string, string];
  const [mo, d, y] = date.split('/');
  return `${y}-${mo}-${d}T${time}Z`;
}

/**
 * A decimal channel count as the script gets it. Radarr and Sonarr read `5.1`, `2.0` or `7.0` from
 * the layout (one decimal: ToString keeps it) and fall back to the integer count (`2` for
 * "stereo"); JSON has dropped the `.0`, so whole numbers of 3 to 7 channels are written as the
 * layouts that give them (`3.0`, `4.0`, `5.0`, `6.0`, `7.0`) and the rest as integers.
 */
export function audioChannels(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '';
  if (Number.isInteger(value) && value >= 3 && value <= 7) return `${value}.0`;
  return String(value);
}

/**
 * .NET's Path.GetDirectoryName: the path without its last segment and the separators before it
 * (`/downloads/x/a.mkv` -> `/downloads/x`, `/a` -> `/`, `a.mkv` -> ``, `/` -> null, as empty).
 * Paths from an app on Windows (`C:\...`, `\\server\...`) use its separators.
 */
export function directoryName(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') return '';
  const windows = /^[A-Za-z]:[\\/]|^\\\\/.test(value);
  const isSeparator = (c: string | undefined) => c === '/' || (windows && c === '\\');
  const root = windows ? (/^\\\\/.test(value) ? rootOfUnc(value) : 3) : value.startsWith('/') ? 1 : 0;
  let end = value.length;
  if (end <= root) return '';
  while (end > root && !isSeparator(value[--end]));
  while (end > root && isSeparator(value[end - 1])) end -= 1;
  const dir = value.slice(0, end);
  // .NET also collapses repeated separators in what it returns.
  return windows ? dir : dir.replace(/\/{2,}/g, '/');
}

// \\server\share\ is the root of a UNC path.
function rootOfUnc(path: string): number {
  const server = path.indexOf('\\', 2);
  if (server < 0) return path.length;
  const share = path.indexOf('\\', server + 1);
  return share < 0 ? path.length : share + 1;
}

/** Path.Combine(folder, relative), for bodies that lack the combined path. */
export function combinePath(folder: unknown, relative: unknown): string {
  const base = text(folder);
  const rel = text(relative);
  if (rel === '' || base === '') return base || rel;
  if (rel.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rel)) return rel;
  const windows = /^[A-Za-z]:[\\/]|^\\\\/.test(base);
  const separator = windows ? '\\' : '/';
  return base.endsWith('/') || base.endsWith(separator) ? base + rel : base + separator + rel;
}
