// secureDataFiles: a data directory open to other users is made 0700 when it holds only hookd's
// files, and refused (nothing changed) when it holds anything else: set
// to /var or /tmp, a daemon running as root would otherwise shut everyone else out of it.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { secureDataFiles } from '../../lib/data-dir.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
let dirs = 0;

function dataDir(mode: number, entries: string[]): string {
  const dir = join(temp.dir, `d${(dirs += 1)}`);
  mkdirSync(dir);
  for (const name of entries) writeFileSync(join(dir, name), '');
  chmodSync(dir, mode);
  return dir;
}

const secure = (dir: string) => secureDataFiles({ dataDir: dir, dbFile: join(dir, 'hookd.sqlite'), dataDirSetting: 'dataDir from HOOKD_DATA_DIR' });
const modeOf = (path: string) => statSync(path).mode & 0o7777;

test('one holding only hookd\'s files is made 0700, and said so', () => {
  const dir = dataDir(0o755, ['hookd.sqlite', 'hookd.sqlite-wal', 'hookd.lock', 'admin.token']);
  mkdirSync(join(dir, 'cache'));
  assert.ok(secure(dir).includes(dir));
  assert.equal(modeOf(dir), 0o700);
});

test('one holding anything else is refused by name, and left as it was', () => {
  const dir = dataDir(0o755, ['hookd.sqlite', 'notes.txt']);
  assert.throws(() => secure(dir), (e: Error) => {
    assert.match(e.message, new RegExp(`^cannot use the data directory ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(dataDir from HOOKD_DATA_DIR\\): it is open to other users \\(mode 755\\) and holds what is not hookd's \\(notes\\.txt\\), so hookd will not make it 0700; set dataDir to a directory of hookd's own`));
    return true;
  });
  assert.equal(modeOf(dir), 0o755);
});

test('a shared sticky one (as /tmp) is refused; a fresh file system\'s root (1777, or with lost+found) is made 0700; a private one is left alone', () => {
  const sticky = dataDir(0o1777, ['.X11-unix']);
  assert.throws(() => secure(sticky), /holds what is not hookd's \(\.X11-unix\)/);
  assert.equal(modeOf(sticky), 0o1777);
  const mounted = dataDir(0o1777, []);
  mkdirSync(join(mounted, 'lost+found'));
  secure(mounted);
  assert.equal(modeOf(mounted), 0o700);
  const own = dataDir(0o700, ['whatever']);
  assert.deepEqual(secure(own).filter((p) => p === own), []);
});

test('a storage.file that is not a SQLite database keeps its mode (it fails as not a database)', () => {
  const dir = dataDir(0o700, []);
  const other = join(dir, 'hookd.sqlite');
  writeFileSync(other, 'root:x:0:0:root:/root:/bin/bash\n');
  chmodSync(other, 0o644);
  secure(dir);
  assert.equal(modeOf(other), 0o644);
  const fresh = dataDir(0o700, []);
  secure(fresh);
  assert.equal(modeOf(join(fresh, 'hookd.sqlite')), 0o600, 'the empty file made for SQLite is 0600');
});
