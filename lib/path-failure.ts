// Why a directory or file the daemon makes at start (the data directory, its lock and admin token,
// the hooks directory, the pid file) cannot be, in one line an operator under a supervisor can act
// on: which path, which setting chose it (and the variable, when the environment did), the
// system's reason and what to do. Only file-system errors are described (by errno code); anything
// else is left as it is, stack and all: a bug.
import { statSync, type Stats } from 'node:fs';
import { errors, type HookdError } from './errors.ts';

export interface PathUse {
  /** What was being done, with the path: `create the data directory /var/lib/hookd`. */
  what: string;
  /** The setting that chose the path, as config's settingName gives it (`dataDir from HOOKD_DATA_DIR`), or a flag. */
  setting: string;
  /** What the daemon must do there: `write` unless said. */
  need?: 'read' | 'write';
}

// The setting as the operator wrote it (the key, or the flag: `--pid-file`), and what the daemon needs.
type Hint = (setting: string, verb: 'read' | 'write') => string;

// The path or the setting is wrong: the operator must fix one of them (exit 2).
const PATH_HINTS: Record<string, Hint> = {
  EACCES: (s, verb) => `the daemon's user may not ${verb} there: change the permissions, or set ${s} to another path`,
  EPERM: (s, verb) => `the daemon's user may not ${verb} there: change the permissions, or set ${s} to another path`,
  EROFS: (s) => `the disk is read-only: set ${s} to a path on a writable disk`,
  ENOTDIR: (s) => `a part of its path is a file, not a directory: set ${s} to another path`,
  EEXIST: (s) => `it is a file, not a directory: move it aside, or set ${s} to another path`,
  EISDIR: (s) => `it is a directory: move it aside, or set ${s} to another path`,
  ENOENT: (s) => `its directory does not exist: create it, or set ${s} to another path`,
  ELOOP: (s) => `its path loops through symbolic links: set ${s} to another path`,
  ENAMETOOLONG: (s) => `set ${s} to a shorter path`,
};

// The disk failed, not the setting (exit 1).
const DISK_HINTS: Record<string, Hint> = {
  ENOSPC: () => 'free space on its disk',
  EDQUOT: () => 'free space within the daemon user\'s disk quota',
  EIO: () => 'the disk reports I/O errors: check it',
};

/**
 * The system's reason for a file-system failure, without the call and path that Node's message
 * repeats and the line around it already names: `EPERM: operation not permitted, mkdir '/sys/x'`.
 */
export function systemReason(error: unknown): string {
  return error instanceof Error ? error.message.replace(/, \w+ '.*$/s, '') : String(error);
}

/** The one-line error for a file-system failure of `use` (by errno code); undefined for any other error. */
export function pathFailure(error: unknown, use: PathUse): HookdError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const disk = DISK_HINTS[code];
  const hint = disk ?? PATH_HINTS[code];
  if (!hint) return undefined;
  const why = systemReason(error);
  const key = use.setting.split(' ')[0]!;
  return errors.unusablePath(`${use.what} (${use.setting})`, why, hint(key, use.need ?? 'write'), error, disk !== undefined);
}

/** The one-line error for a file-system failure of `use`; any other error unchanged. */
export function describePathFailure(error: unknown, use: PathUse): unknown {
  return pathFailure(error, use) ?? error;
}

/** Runs `make`; a file-system failure throws the line above. */
export function describingPathFailure<T>(use: PathUse, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw describePathFailure(error, use);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Throws the one-line error (exit 2) when `path` exists and is not a regular file: opening a FIFO
 * for writing blocks the event loop until a reader comes, and a device is no file to keep. An
 * absent path passes (it is made next); a path that cannot be looked at fails as usual.
 */
export function requireRegularFile(path: string, use: PathUse): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw describePathFailure(error, use);
  }
  if (stats.isFile()) return;
  const key = use.setting.split(' ')[0]!;
  throw errors.unusablePath(`${use.what} (${use.setting})`, `it is ${kindOf(stats)}`, `move it aside, or set ${key} to a regular file's path`, undefined, false);
}
