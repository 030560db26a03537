// The data directory's permissions: it holds the SQLite file (webhook secrets, token digests,
// events) and admin.token, so only the daemon's user may enter it, whatever the umask, and so may
// no command program running as commands.user; a path that cannot be it fails in one line
// (path-failure.ts). Only what is hookd's is chmodded: a shared directory or a file that is no
// SQLite database is refused or left as it was. Side effect: creates and chmods files.
import { chmodSync, closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { commandRunsDir, compileCacheDir } from './data-dir-paths.ts';
import { LOCK_FILE } from './data-dir-lock.ts';
import { errors } from './errors.ts';
import { makeDirectory } from './make-directory.ts';
import { describingPathFailure, requireRegularFile } from './path-failure.ts';
import { ADMIN_TOKEN_FILE } from './tokens.ts';

/** The data directory, made (0700) when missing; a path that cannot be one fails naming `setting` (its key). */
export function makeDataDir(dataDir: string, setting: string): void {
  describingPathFailure({ what: `create the data directory ${dataDir}`, setting }, () => makeDirectory(dataDir, 0o700));
}

/** Directory 0700 and database files 0600 (owner bits kept); returns the paths it had to tighten. */
export function secureDataFiles(deps: { dataDir: string; dbFile: string; dataDirSetting: string }): string[] {
  makeDataDir(deps.dataDir, deps.dataDirSetting);
  const tightened: string[] = [];
  const restrict = (path: string, ownerMask: number) => {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      return; // not there (yet)
    }
    if ((mode & 0o077) === 0) return;
    chmodSync(path, mode & ownerMask);
    tightened.push(path);
  };
  refuseShared(deps);
  restrict(deps.dataDir, 0o700);
  // The database may live outside the data dir (storage.file). Created here, empty and 0600,
  // SQLite adopts it and gives its -wal and -shm files the same mode.
  const file = deps.dbFile;
  describingPathFailure({ what: `create the directory of the SQLite database ${file}`, setting: 'storage.file' }, () => makeDirectory(dirname(file), 0o700));
  const create = { what: `create the SQLite database ${file}`, setting: 'storage.file' };
  requireRegularFile(file, create);
  describingPathFailure(create, () => closeSync(openSync(file, 'a', 0o600)));
  // Only a SQLite file (or the empty one just made) is made 0600: storage.file set by mistake to
  // another file (/etc/passwd) must fail as not a database, not lose its mode first.
  if (isSqliteFile(file)) for (const suffix of ['', '-wal', '-shm', '-journal']) restrict(`${deps.dbFile}${suffix}`, 0o600);
  return tightened;
}

/** The entry of `dataDir` that holds `path`. */
const topOf = (dataDir: string, path: string) => relative(dataDir, path).split(sep)[0]!;

/**
 * What hookd keeps in its data directory (the lock, the admin token, command records, the compile
 * cache, the SQLite file's), and lost+found: a file system mounted for hookd alone has one.
 */
function ownEntries(dataDir: string, dbFile: string): Set<string> {
  const own = new Set([LOCK_FILE, ADMIN_TOKEN_FILE, topOf(dataDir, commandRunsDir(dataDir)), topOf(dataDir, compileCacheDir(dataDir)), 'lost+found']);
  if (resolve(dirname(dbFile)) === resolve(dataDir)) for (const suffix of ['', '-wal', '-shm', '-journal']) own.add(`${basename(dbFile)}${suffix}`);
  return own;
}

/**
 * A data directory open to other users is made 0700 only when it holds nothing but hookd's
 * files (a new directory, or a file system mounted for it: a tmpfs's root is 1777): set to a
 * shared one (/var, /tmp, a home), the daemon (often root) would have shut everyone else out of
 * it. Such a directory fails the start in one line (exit 2).
 */
function refuseShared(deps: { dataDir: string; dbFile: string; dataDirSetting: string }): void {
  const mode = statSync(deps.dataDir).mode & 0o7777;
  if ((mode & 0o077) === 0) return;
  const own = ownEntries(deps.dataDir, deps.dbFile);
  const foreign = readdirSync(deps.dataDir).filter((name) => !own.has(name));
  if (foreign.length === 0) return;
  const key = deps.dataDirSetting.split(' ')[0]!;
  const holds = `holds what is not hookd's (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? `, and ${foreign.length - 3} more` : ''})`;
  throw errors.unusablePath(
    `use the data directory ${deps.dataDir} (${deps.dataDirSetting})`,
    `it is open to other users (mode ${mode.toString(8)}) and ${holds}, so hookd will not make it 0700`,
    `set ${key} to a directory of hookd's own (made 0700 when missing), or make this one 0700 yourself`,
    undefined,
    false,
  );
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Whether `file` is empty or starts as a SQLite database does (one it cannot read: no; SQLite says why). */
function isSqliteFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, head, 0, head.length, 0);
    return read === 0 || (read === head.length && head.equals(SQLITE_HEADER));
  } finally {
    closeSync(fd);
  }
}
