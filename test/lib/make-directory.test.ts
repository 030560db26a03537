// makeDirectory: mkdir -p one level at a time, the system's error as it is, and no endless retry
// where mkdir answers ENOENT under a parent that exists (Node's recursive mkdirSync spins there).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeDirectory } from '../../lib/make-directory.ts';
import { TSX } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
const codeOf = (make: () => void): string | undefined => {
  try {
    make();
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
};

test('makes a directory and its missing parents with the mode given, and leaves one already there alone', () => {
  const deep = join(temp.dir, 'a', 'b', 'c');
  makeDirectory(deep, 0o700);
  assert.ok(statSync(deep).isDirectory());
  assert.equal(statSync(join(temp.dir, 'a')).mode & 0o777, 0o700 & ~process.umask());
  makeDirectory(deep, 0o700);
  makeDirectory(`${deep}/../c`); // relative parts resolve
  assert.ok(statSync(deep).isDirectory());
});

test('a file in the way is EEXIST, a file above is ENOTDIR', () => {
  const file = join(temp.dir, 'file');
  writeFileSync(file, '');
  assert.equal(codeOf(() => makeDirectory(file)), 'EEXIST');
  assert.equal(codeOf(() => makeDirectory(join(file, 'below'))), 'ENOTDIR');
  mkdirSync(join(temp.dir, 'd'));
  assert.equal(codeOf(() => makeDirectory(join(temp.dir, 'd'))), undefined);
});

test('under /proc it fails with ENOENT at once instead of retrying forever', () => {
  // In a child with a deadline: were it to spin, it would block this process's thread too.
  const script = `import { makeDirectory } from ${JSON.stringify(fileURLToPath(new URL('../../lib/make-directory.ts', import.meta.url)))};
try { makeDirectory('/proc/self/hookd-test/x'); console.log('made'); } catch (e) { console.log(e.code); }`;
  const run = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  assert.equal(run.signal, null, 'it returned before the deadline');
  assert.equal(run.stdout.trim(), 'ENOENT', run.stderr);
});
