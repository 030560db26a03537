// The data directory's permissions: it holds the SQLite file (webhook secrets, token digests,
// events) and admin.token, so only the daemon's user may enter it, whatever the umask, and so may
// no command program running as commands.user; a path that cannot be it fails in one line
// (path-failure.ts). Side effect: creates and chmods files.
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectory } from './make-directory.ts';
import { describingPathFailure, requireRegularFile } from './path-failure.ts';

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
  restrict(deps.dataDir, 0o700);
  // The database may live outside the data dir (storage.file). Created here, empty and 0600,
  // SQLite adopts it and gives its -wal and -shm files the same mode.
  const file = deps.dbFile;
  describingPathFailure({ what: `create the directory of the SQLite database ${file}`, setting: 'storage.file' }, () => makeDirectory(dirname(file), 0o700));
  const create = { what: `create the SQLite database ${file}`, setting: 'storage.file' };
  requireRegularFile(file, create);
  describingPathFailure(create, () => closeSync(openSync(file, 'a', 0o600)));
  for (const suffix of ['', '-wal', '-shm', '-journal']) restrict(`${deps.dbFile}${suffix}`, 0o600);
  return tightened;
}
