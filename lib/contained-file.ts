// Reads a file that someone else wrote (the hooks directory, a sidecar) without letting it
// hurt the daemon: only a regular file, only inside its root, the size checked before any
// byte is read, and never a blocking open (a FIFO answers at once instead of when written).
import { constants, type Stats } from 'node:fs';
import { open, readlink, realpath } from 'node:fs/promises';
import { sep } from 'node:path';

/**
 * A failure is `missing` (the file is gone), `unreadable` (the system would not read it: a
 * permission, a failing disk or mount; it may read again) or else a refusal of what the file is.
 */
export type ContainedRead = { ok: true; text: string } | { ok: false; missing?: true; unreadable?: true; message: string };

export interface ContainedReadOptions {
  /** The directory the file must resolve into, itself resolved (realpath); none: anywhere. */
  root?: string;
  maxBytes: number;
  /** The config key that sets maxBytes, named in the refusal. */
  limitName: string;
}

// O_NONBLOCK: opening a FIFO for reading would wait for a writer. O_NOFOLLOW: the path was
// already resolved, so a symlink here was swapped in since; it is refused rather than followed.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

/** Whether `path` (resolved) is `root` or below it. */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** What a non-regular file is, for messages. */
export function describeFileType(st: Pick<Stats, 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isSymbolicLink'>): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}

/** Where a path really is; a refusal when it leaves the root. */
export async function resolveInside(path: string, root: string | undefined): Promise<{ ok: true; real: string } | Extract<ContainedRead, { ok: false }>> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    return failure(err);
  }
  if (root !== undefined && !isInside(real, root)) return { ok: false, message: `resolves to ${real}, outside the hooks directory: refused` };
  return { ok: true, real };
}

export async function readContainedFile(path: string, options: ContainedReadOptions): Promise<ContainedRead> {
  const resolved = await resolveInside(path, options.root);
  if (!resolved.ok) return resolved;
  let handle;
  try {
    handle = await open(resolved.real, OPEN_FLAGS);
  } catch (err) {
    return failure(err);
  }
  try {
    // Checked on the open descriptor: what is read is what was checked, whatever moved since.
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, message: `is ${describeFileType(st)}, not a regular file: refused` };
    if (options.root !== undefined) {
      const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined); // Linux: where the descriptor really points
      if (opened !== undefined && opened.startsWith('/') && !isInside(opened, options.root)) {
        return { ok: false, message: `resolves to ${opened}, outside the hooks directory: refused` };
      }
    }
    if (st.size > options.maxBytes) {
      return { ok: false, message: `is ${st.size} bytes, over the ${options.maxBytes}-byte limit (${options.limitName}): refused unread` };
    }
    // One byte more than allowed: a file that grew since the check is caught, not read whole.
    const buffer = Buffer.alloc(st.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > options.maxBytes) return { ok: false, message: `grew past the ${options.maxBytes}-byte limit (${options.limitName}) while being read: refused` };
    return { ok: true, text: buffer.subarray(0, length).toString('utf8') };
  } catch (err) {
    return failure(err);
  } finally {
    await handle.close().catch(() => {});
  }
}

function failure(err: unknown): Extract<ContainedRead, { ok: false }> {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, missing: true, message: 'does not exist' };
  if (code === 'ELOOP') return { ok: false, message: 'is a symlink loop or was swapped for a symlink: refused' };
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, unreadable: true, message: 'cannot be read: permission denied' };
  return { ok: false, unreadable: true, message: `cannot be read: ${code ?? (err as Error).message}` };
}
