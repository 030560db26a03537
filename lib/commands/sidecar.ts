// The options of a command file hook live in a sidecar: `hooks/media.added/20-notify.sh` takes
// them from `20-notify.sh.json` (mode, env, timeoutMs, priority, name, events, ...). The program
// itself is never read: it may be a binary, and discovery runs no user code. The sidecar is read
// as any file someone else wrote: regular, contained, small (see contained-file.ts).
import { readContainedFile, type ContainedRead } from '../contained-file.ts';

// The file is the program: a sidecar cannot point the hook elsewhere or turn it into a module.
const FIXED_KEYS = ['kind', 'command', 'source'];

export function sidecarPath(programPath: string): string {
  return `${programPath}.json`;
}

/** Hook options are a handful of keys: a sidecar past this is no sidecar, and is not read. */
export const MAX_SIDECAR_BYTES = 64 * 1024;

/**
 * The sidecar's text, '' when there is none: it is what tells a changed definition apart. A
 * failure names the sidecar (`relPath.json: ...`) and is, as contained-file.ts tells them apart,
 * `unreadable` for now (a permission, a failing disk or mount) or a refusal: not a regular file
 * (a FIFO never blocks), over MAX_SIDECAR_BYTES (refused unread), or outside `root`.
 * Its JSON is parsed on the daemon's thread: linear, and bounded by that cap.
 */
export async function readSidecar(programPath: string, relPath: string, root?: string): Promise<ContainedRead> {
  const read = await readContainedFile(sidecarPath(programPath), { root, maxBytes: MAX_SIDECAR_BYTES, limitName: 'a sidecar is at most 64 KiB' });
  if (read.ok) return read;
  if (read.missing) return { ok: true, text: '' };
  return { ...read, message: `${sidecarPath(relPath)}: ${read.message}` };
}

/** readSidecar for a single run (`hookd run-hook`), with nothing to keep: throws an Error naming the sidecar. */
export async function readSidecarText(programPath: string, relPath: string, root?: string): Promise<string> {
  const read = await readSidecar(programPath, relPath, root);
  if (!read.ok) throw new Error(read.message);
  return read.text;
}

/** Hook options from a sidecar's text; throws an Error naming the file when they are not an object. */
export function parseSidecar(text: string, relPath: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let options: unknown;
  try {
    options = JSON.parse(text);
  } catch (err) {
    throw new Error(`${relPath}.json: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${relPath}.json: must be a JSON object of hook options, e.g. { "mode": "filter", "env": ["NOTIFY_URL"] }`);
  }
  const fixed = FIXED_KEYS.filter((k) => k in options);
  if (fixed.length > 0) throw new Error(`${relPath}.json: "${fixed.join('", "')}" cannot be set here: the file next to it is the program`);
  return options as Record<string, unknown>;
}
