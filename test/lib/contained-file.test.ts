// Reading files someone else wrote: only regular files inside the root, the size checked
// before any read, and never a blocking open. Each case is a file an attacker could plant.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readContainedFile } from '../../lib/contained-file.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
const root = join(temp.dir, 'root');
mkdirSync(join(root, 'sub'), { recursive: true });
writeFileSync(join(temp.dir, 'outside.txt'), 'OUTSIDE');
writeFileSync(join(root, 'ok.txt'), 'inside text');
writeFileSync(join(root, 'big.txt'), 'x'.repeat(2048));
execFileSync('mkfifo', [join(root, 'fifo')]);
symlinkSync('/proc/self/environ', join(root, 'environ'));
symlinkSync('../outside.txt', join(root, 'out-link'));
symlinkSync('ok.txt', join(root, 'in-link'));
symlinkSync(join(temp.dir), join(root, 'sub', 'up')); // a directory link leading out
symlinkSync('loop-b', join(root, 'loop-a'));
symlinkSync('loop-a', join(root, 'loop-b'));

const read = (rel: string, maxBytes = 1024) => readContainedFile(join(root, rel), { root: realpathSync(root), maxBytes, limitName: 'test.limit' });

const CASES: Array<[string, string, { ok: boolean; text?: string; missing?: boolean; message?: RegExp }]> = [
  ['a regular file inside is read', 'ok.txt', { ok: true, text: 'inside text' }],
  ['a symlink to a file inside is read', 'in-link', { ok: true, text: 'inside text' }],
  ['a file over the limit is refused unread', 'big.txt', { ok: false, message: /is 2048 bytes, over the 1024-byte limit \(test\.limit\): refused unread/ }],
  ['a FIFO is refused at once, never waited on', 'fifo', { ok: false, message: /is a FIFO, not a regular file/ }],
  ['a symlink to /proc/self/environ is refused', 'environ', { ok: false, message: /resolves to \/proc\/.*environ, outside the hooks directory/ }],
  ['a symlink to a file outside is refused', 'out-link', { ok: false, message: /outside\.txt, outside the hooks directory/ }],
  ['a path through a directory link leading out is refused', 'sub/up/outside.txt', { ok: false, message: /outside the hooks directory/ }],
  ['a symlink loop is refused', 'loop-a', { ok: false, message: /symlink loop/ }],
  ['a directory is refused', 'sub', { ok: false, message: /is a directory, not a regular file/ }],
  ['a missing file is reported missing', 'nope.txt', { ok: false, missing: true }],
];

for (const [name, rel, expected] of CASES) {
  test(name, async () => {
    const got = await read(rel);
    assert.equal(got.ok, expected.ok, JSON.stringify(got));
    if (got.ok) assert.equal(got.text, expected.text);
    else {
      if (expected.message) assert.match(got.message, expected.message);
      assert.equal(got.missing, expected.missing);
      assert.ok(!got.message.includes('OUTSIDE'));
    }
  });
}

test('without a root, a regular file anywhere is read but a FIFO still is not', async () => {
  const anywhere = await readContainedFile(join(temp.dir, 'outside.txt'), { maxBytes: 100, limitName: 'x' });
  assert.deepEqual(anywhere, { ok: true, text: 'OUTSIDE' });
  const fifo = await readContainedFile(join(root, 'fifo'), { maxBytes: 100, limitName: 'x' });
  assert.equal(fifo.ok, false);
});
