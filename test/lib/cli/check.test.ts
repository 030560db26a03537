// `hookd check` in-process with the real compiler, on a temp hooks dir holding a good hook, a
// disabled one and a broken one: each good hook's line, each problem as path:line:column:
// message (paths relative to where it runs), the summary, and the exit code.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, mock, test } from 'node:test';
import { checkCommand, describeProblems } from '../../../lib/cli/check.ts';
import { EXIT } from '../../../lib/cli/exit.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
const config = temp.write('hookd.yaml', 'server:\n  port: 7701\n');

/** Runs check as if from `cwd` and answers its exit code and what it wrote to stdout and stderr. */
async function check(opts: { hooksDir: string }, cwd: string): Promise<{ code: number; out: string; err: string }> {
  const log = mock.method(console, 'log', () => {});
  const error = mock.method(console, 'error', () => {});
  try {
    const code = await checkCommand({ config, ...opts }, cwd);
    const text = (m: typeof log) => m.mock.calls.map((c) => `${c.arguments.join(' ')}\n`).join('');
    return { code, out: text(log), err: text(error) };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}

describe('hookd check', () => {
  temp.write('project/hooks/media.added/10-good.js', 'export default (event) => event.payload.title;\n');
  temp.write('project/hooks/media.added/20-off.js', 'export const config = { enabled: false, mode: "filter" };\nexport default () => ({});\n');

  test('a directory of good hooks is exit 0, each hook on its own line', async () => {
    const r = await check({ hooksDir: 'hooks' }, join(temp.dir, 'project'));
    assert.equal(r.code, EXIT.OK, r.err);
    assert.match(r.out, /^configuration ok \(.*hookd\.yaml\); \d+ event types$/m);
    assert.match(r.out, /^hooks\/media\.added\/10-good\.js: ok, action on media\.added$/m);
    assert.match(r.out, /^hooks\/media\.added\/20-off\.js: ok, filter on media\.added \(enabled: false\)$/m);
    assert.match(r.out, /^2 hooks ok, 0 with errors in hooks$/m);
    assert.equal(r.err, '');
  });

  test('a broken hook is named path:line:column: message, relative to where check runs, and is exit 2', async () => {
    const dir = join(temp.dir, 'broken');
    temp.write('broken/media.added/10-good.js', 'export default () => 1;\n');
    temp.write('broken/media.added/20-syntax.js', 'export default (event) => {\n  return event.payload.;\n};\n');
    const fromInside = await check({ hooksDir: '.' }, dir);
    assert.equal(fromInside.code, EXIT.USAGE);
    assert.match(fromInside.err, /^media\.added\/20-syntax\.js:2:24: Unexpected token$/m);
    assert.match(fromInside.err, /^1 hook ok, 1 with errors in \.$/m);
    assert.match(fromInside.out, /^media\.added\/10-good\.js: ok/m);
    const fromAbove = await check({ hooksDir: 'broken' }, temp.dir);
    assert.match(fromAbove.err, /^broken\/media\.added\/20-syntax\.js:2:24: Unexpected token$/m);
  });

  test('a hooks directory that cannot be read is said so and is exit 2, not an empty directory passed', async () => {
    temp.write('a-file', '');
    const r = await check({ hooksDir: 'a-file' }, temp.dir);
    assert.equal(r.code, EXIT.USAGE);
    assert.equal(r.err, 'a-file: cannot be read: ENOTDIR: not a directory\n0 hooks ok, 1 with errors in a-file\n');
  });

  test('a hooks directory not made yet passes: serve creates it (a fresh install is checked before its first start)', async () => {
    const r = await check({ hooksDir: 'nosuch' }, temp.dir);
    assert.equal(r.code, EXIT.OK, r.err);
    assert.match(r.out, /^0 hooks in nosuch: it does not exist yet \(hookd serve creates it\)$/m);
  });
});

describe('describeProblems', () => {
  test('says "cannot be read" once per path, whatever part could not be read, with paths from where check runs', () => {
    const report = {
      failed: [{ file: 'media.added/20-syntax.js', message: 'media.added/20-syntax.js:2:24: Unexpected token' }, { file: 'top.js', message: 'is a FIFO, not a regular file: refused' }],
      unreadable: [
        { kind: 'directory' as const, file: '.', message: 'EACCES: permission denied', kept: 0 },
        { kind: 'folder' as const, file: 'media.removed', message: 'EACCES: permission denied', kept: 2 },
        // As the sync reports a file it read before: the message names it (sync.ts, readDefinition).
        { kind: 'file' as const, file: 'media.added/10-first.js', message: 'media.added/10-first.js: cannot be read: permission denied', kept: 1 },
        { kind: 'file' as const, file: 'media.added/30-notify.sh.json', message: 'media.added/30-notify.sh.json: cannot be read: permission denied', kept: 1 },
      ],
    };
    assert.deepEqual(describeProblems(report, 'hooks'), [
      'hooks/media.added/20-syntax.js:2:24: Unexpected token',
      'hooks/top.js: is a FIFO, not a regular file: refused',
      'hooks: cannot be read: EACCES: permission denied',
      'hooks/media.removed: cannot be read: EACCES: permission denied',
      'hooks/media.added/10-first.js: cannot be read: permission denied',
      'hooks/media.added/30-notify.sh.json: cannot be read: permission denied',
    ]);
    assert.deepEqual(describeProblems({ failed: [], unreadable: [report.unreadable[0]!] }, ''), ['.: cannot be read: EACCES: permission denied']);
  });
});
