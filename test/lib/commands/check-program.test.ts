// The registration check of a command's argv: absolute path to an executable regular file.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkProgram } from '../../../lib/commands/check-program.ts';
import { isHookdError } from '../../../lib/errors.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
const script = join(temp.dir, 'script.sh');
writeFileSync(script, '#!/bin/sh\necho hi\n');
chmodSync(script, 0o755);
const plain = join(temp.dir, 'plain.sh');
writeFileSync(plain, '#!/bin/sh\necho hi\n');
chmodSync(plain, 0o644);
mkdirSync(join(temp.dir, 'a-dir'));

test('an executable file by absolute path passes', async () => {
  await checkProgram([script, 'arg']);
  await checkProgram(['/bin/sh']);
});

test('what cannot run is refused with 422 and a message that says why', async () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['missing', [join(temp.dir, 'nope.sh')], /does not exist/],
    ['missing directory on the way', [join(temp.dir, 'nope', 'x.sh')], /does not exist/],
    ['not executable', [plain], /is not executable by the daemon's user: chmod \+x it/],
    ['a directory', [join(temp.dir, 'a-dir')], /is not a regular file/],
    ['a bare name', ['curl'], /"curl" is not an absolute path: give the full path \(e\.g\. "\/usr\/bin\/curl"/],
    ['a relative path', ['./script.sh'], /is not an absolute path/],
    ['an empty program', [''], /needs a program/],
    ['a NUL byte in an argument', [script, 'a\0b'], /argument 1 contains a NUL byte/],
  ];
  for (const [name, argv, message] of cases) {
    await assert.rejects(checkProgram(argv), (err: unknown) => {
      assert.ok(isHookdError(err), name);
      assert.equal(err.status, 422, name);
      assert.match(err.message, message, name);
      return true;
    });
  }
});
