// Log and output caps count bytes as stored, through the real daemon: hooks and programs that
// flood their log with empty lines, with `yes`, or with characters JSON escapes to 2-6 bytes
// each leave an invocation record (read back from the API) within the cap plus one marker line.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

const KIB = 1024;
const MAX_LOG = 64 * KIB; // runtime.maxLogSize, and commands.maxOutput per stream (defaults)
const SLACK = 2 * KIB; // the marker line and the array's brackets

let d: TestDaemon;
before(async () => {
  // compileTimeout: on a loaded machine compiling must not be what fails these tests.
  d = await startTestDaemon({ config: { hooks: { watch: false }, runtime: { maxTimeout: '60s', compileTimeout: '60s' }, commands: { timeout: '60s' } } });
});
after(() => d.close());

const ESCAPED = '"\\\u0001\u001f\n\t';

const ATTACKS: Array<[string, Record<string, unknown>, number]> = [
  ['300,000 empty lines from a module hook', { source: "export default () => { for (let i = 0; i < 300_000; i++) console.log(''); }" }, MAX_LOG],
  ['lines of escapable characters from a module hook', { source: `export default (e, ctx) => { for (let i = 0; i < 2_000; i++) ctx.log.warn(${JSON.stringify(ESCAPED)}.repeat(200)); }` }, MAX_LOG],
  ['one huge line of escapable characters from a module hook', { source: `export default () => { console.log(${JSON.stringify(ESCAPED)}.repeat(60_000)); }` }, MAX_LOG],
  ['300,000 empty lines from a command', { kind: 'command', command: ['/bin/sh', '-c', "yes '' | head -n 300000; yes '' | head -n 300000 >&2"] }, 2 * MAX_LOG],
  ['`yes` as a command, until its deadline', { kind: 'command', timeoutMs: 1_500, command: ['/usr/bin/yes'] }, 2 * MAX_LOG],
  [
    'lines of escapable characters from a command, on both streams',
    { kind: 'command', command: [process.execPath, '-e', `const l = ${JSON.stringify(ESCAPED.replace('\n', ''))}.repeat(100); for (let i = 0; i < 5000; i++) { console.log(l); console.error(l); }`] },
    2 * MAX_LOG,
  ],
];

test('every flood leaves an invocation record within its cap as stored, ending with one marker line', async () => {
  const ids: Array<[string, string, number]> = [];
  for (const [i, [what, definition, cap]] of ATTACKS.entries()) {
    const r = await d.call('POST', '/hooks', { name: `flood-${i}`, mode: 'action', events: ['media.added'], timeoutMs: 30_000, ...definition });
    assert.equal(r.status, 201, `${what}: ${r.text}`);
    ids.push([what, r.body.id, cap]);
  }
  const posted = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'flood' } });
  assert.equal(posted.status, 202, posted.text);
  await d.daemon.idle();
  for (const [what, id, cap] of ids) {
    const [record] = (await d.call('GET', `/hooks/${id}/invocations`)).body.items as Array<{ status: string; logs: Array<{ level: string; message: string }> }>;
    assert.ok(record, `${what}: recorded`);
    const bytes = Buffer.byteLength(JSON.stringify(record.logs));
    assert.ok(bytes <= cap + SLACK, `${what}: ${bytes} bytes of logs stored, cap ${cap}`);
    assert.ok(bytes > MAX_LOG / 2, `${what}: the cap, not the hook, ended the log (${bytes} bytes)`);
    const markers = record.logs.filter((l) => /^(log|output) truncated at /.test(l.message));
    assert.equal(markers.length, 1, `${what}: one marker line`);
    assert.equal(record.logs.at(-1), markers[0], `${what}: the marker comes last`);
    assert.match(markers[0]!.message, /dropped/);
  }
});
