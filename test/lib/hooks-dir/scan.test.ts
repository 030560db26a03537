// The hooks-directory scan as an attacker fills the directory: it reads no file, walks two
// levels, a bounded number of entries, marks what must not be read, and never follows a
// symlinked directory (a loop or a way out).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { scanHooksDir } from '../../../lib/hooks-dir/index.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

function layout(name: string): string {
  const dir = join(temp.dir, name);
  mkdirSync(join(dir, 'media.added', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'media.added', '10-ok.js'), 'export default () => {};');
  writeFileSync(join(dir, 'media.added', 'deeper', '10-deep.js'), 'export default () => {};');
  return dir;
}

test('FIFOs, outside symlinks and loops are marked or reported; nothing deeper than a folder is found', async () => {
  const dir = layout('hostile');
  execFileSync('mkfifo', [join(dir, 'media.added', '20-fifo.js')]);
  execFileSync('mkfifo', ['-m', '755', join(dir, 'media.added', '30-fifo-program')]);
  symlinkSync('/etc/hostname', join(dir, 'media.added', '40-out.js'));
  symlinkSync('10-ok.js', join(dir, 'media.added', '50-in.js'));
  symlinkSync('.', join(dir, 'loop'));
  symlinkSync('/', join(dir, 'root'));
  const scan = await scanHooksDir(dir);
  const byPath = new Map(scan.files.map((f) => [f.relPath, f]));
  assert.deepEqual([...byPath.keys()].sort(), ['media.added/10-ok.js', 'media.added/20-fifo.js', 'media.added/30-fifo-program', 'media.added/40-out.js', 'media.added/50-in.js']);
  assert.equal(byPath.get('media.added/10-ok.js')!.problem, undefined);
  assert.equal(byPath.get('media.added/50-in.js')!.problem, undefined, 'a symlink that stays inside is a hook');
  assert.match(byPath.get('media.added/20-fifo.js')!.problem!, /is a FIFO/);
  assert.match(byPath.get('media.added/30-fifo-program')!.problem!, /is a FIFO/);
  assert.match(byPath.get('media.added/40-out.js')!.problem!, /resolves to \/etc\/hostname, outside the hooks directory/);
  assert.deepEqual(scan.problems.map((p) => p.file).sort(), ['loop', 'root']);
  for (const p of scan.problems) assert.match(p.message, /symlink to a directory, which is not followed/);
});

test('a directory with more entries than the bound is cut there and says so', async () => {
  const dir = layout('crowded');
  for (let i = 0; i < 60; i++) writeFileSync(join(dir, 'media.added', `${100 + i}-h.js`), '');
  chmodSync(join(dir, 'media.added'), 0o755);
  const scan = await scanHooksDir(dir, 20);
  assert.ok(scan.files.length < 20, `${scan.files.length} files found`);
  assert.deepEqual(scan.problems, [{ file: '.', message: 'holds more than 20 entries: the rest were not looked at' }]);
});

test('a hooks directory that cannot be listed is said so, not taken for an empty one', async () => {
  writeFileSync(join(temp.dir, 'a-file'), '');
  assert.deepEqual(await scanHooksDir(join(temp.dir, 'absent')), { files: [], problems: [], unreadable: [{ folder: '.', message: 'ENOENT: no such file or directory' }] });
  assert.deepEqual(await scanHooksDir(join(temp.dir, 'a-file')), { files: [], problems: [], unreadable: [{ folder: '.', message: 'ENOTDIR: not a directory' }] });
});
