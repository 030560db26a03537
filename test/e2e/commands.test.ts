// Command hooks through the real daemon: registration checks, filter chains mixing command and
// module hooks, action hooks in the invocation log, dry runs, auto-disable, timeouts that leave
// no process behind, inert payloads, and programs found in the hooks directory.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { backgroundPid, isAlive, killAllWith, processesWith } from '../lib/commands/process-table.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/commands/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const MARKER = `hookd-e2e-${randomUUID()}`;

const temp = makeTempDir();
const hooksDir = join(temp.dir, 'hooks', 'download.grabbed');
let d: TestDaemon;
before(async () => {
  // The hooks directory as a user lays it out, before the daemon starts and loads it.
  mkdirSync(hooksDir, { recursive: true });
  copyFileSync(fixture('tag-year.sh'), join(hooksDir, '20-tagger.sh'));
  chmodSync(join(hooksDir, '20-tagger.sh'), 0o755);
  writeFileSync(join(hooksDir, '20-tagger.sh.json'), JSON.stringify({ mode: 'filter', env: ['HOME'], timeoutMs: 5000 }));
  copyFileSync(fixture('fail.sh'), join(hooksDir, '30-forgot-chmod.sh'));
  chmodSync(join(hooksDir, '30-forgot-chmod.sh'), 0o644);
  writeFileSync(join(hooksDir, '30-forgot-chmod.sh.json'), '{}');
  copyFileSync(fixture('fail.sh'), join(hooksDir, '40-bad-sidecar'));
  chmodSync(join(hooksDir, '40-bad-sidecar'), 0o755);
  writeFileSync(join(hooksDir, '40-bad-sidecar.json'), '{ "mode": ');
  writeFileSync(join(hooksDir, 'README.md'), '# notes, not a hook\n');
  writeFileSync(join(hooksDir, 'data.txt'), 'not a hook either\n');
  d = await startTestDaemon({ dir: temp.dir, config: { hooks: { disableAfterFailures: 3, watch: false }, commands: { killGrace: '300ms' } } });
});
after(async () => {
  await d?.close();
  killAllWith(MARKER);
  temp.remove();
});

let seq = 0;
async function addHook(def: Record<string, unknown>) {
  const r = await d.call('POST', '/hooks', { name: `c${++seq}`, mode: 'filter', ...def });
  assert.equal(r.status, 201, r.text);
  return r.body as { id: string; name: string; kind: string; command: string[] };
}
const removeHooks = async (...ids: string[]) => {
  for (const id of ids) assert.equal((await d.call('DELETE', `/hooks/${id}`)).status, 204);
};

describe('registration', () => {
  test('a command hook is an argv array; the answer shows it', async () => {
    const h = await addHook({ kind: 'command', events: ['media.updated'], command: [fixture('fail.sh'), '--flag', '$(not expanded)'], env: ['NOTIFY_URL'] });
    assert.equal(h.kind, 'command');
    assert.deepEqual(h.command, [fixture('fail.sh'), '--flag', '$(not expanded)']);
    await removeHooks(h.id);
  });

  const plain = join(temp.dir, 'not-executable.sh');
  writeFileSync(plain, '#!/bin/sh\n');
  chmodSync(plain, 0o644);
  const refused: Array<[string, unknown, RegExp]> = [
    ['a missing program', [join(temp.dir, 'missing.sh')], /command program ".*missing\.sh" does not exist/],
    ['a program that is not executable', [plain], /is not executable by the daemon's user: chmod \+x it/],
    ['a bare name', ['sh', '-c', 'echo hi'], /"sh" is not an absolute path/],
  ];
  for (const [name, command, message] of refused) {
    test(`${name} is refused with 422`, async () => {
      const r = await d.call('POST', '/hooks', { name: `bad-${++seq}`, events: ['media.updated'], mode: 'action', command });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.error.code, 'UNPROCESSABLE');
      assert.match(r.body.error.message, message);
      assert.equal(r.body.error.details.pointer, '/command/0');
    });
  }

  test('a shell string is not a command: command must be an array', async () => {
    const r = await d.call('POST', '/hooks', { name: `bad-${++seq}`, events: ['media.updated'], mode: 'action', command: '/bin/sh -c "echo hi"' });
    assert.equal(r.status, 400, r.text);
    assert.match(r.body.error.message, /\/command must be array/);
  });
});

describe('dispatch', () => {
  test('a command filter changes the data like a module filter; the chain goes on in priority order', async () => {
    const cmd = await addHook({ kind: 'command', events: ['media.added'], priority: 10, command: [fixture('tag-year.sh')] });
    const mod = await addHook({ events: ['media.added'], priority: 20, source: 'export default (e) => ({ patch: { qualityProfile: e.payload.tags.join("+") } })' });
    const r = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'Akira', year: 1988, genres: ['Anime'] } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.payload, { title: 'Akira', year: 1988, genres: ['Anime'], tags: ['year-1988', 'first-genre-Anime'], qualityProfile: 'year-1988+first-genre-Anime' });
    assert.deepEqual(r.body.results.map((x: { hook: { id: string }; status: string }) => [x.hook.id, x.status]), [[cmd.id, 'ok'], [mod.id, 'ok']]);
    const inv = await d.call('GET', `/hooks/${cmd.id}/invocations`);
    assert.equal(inv.body.items[0].status, 'ok');
    assert.ok(inv.body.items[0].logs.some((l: { level: string; message: string }) => l.level === 'warn' && l.message === 'tagged'));
    await removeHooks(cmd.id, mod.id);
  });

  test('a failing command action is logged with the exit code and stderr tail; the event is still done', async () => {
    const h = await addHook({ kind: 'command', mode: 'action', events: ['media.removed'], command: [fixture('fail.sh')] });
    const r = await d.call('POST', '/events', { type: 'media.removed', payload: { title: 'Heat' } });
    assert.equal(r.status, 202);
    await d.daemon.idle();
    const ev = await d.call('GET', `/events/${r.body.id}`);
    assert.equal(ev.body.status, 'done');
    const run = ev.body.invocations.find((i: { hookId: string }) => i.hookId === h.id);
    assert.equal(run.status, 'error');
    assert.equal(run.error.message, 'exited with code 3: something went wrong\ndisk full');
    assert.ok(run.logs.some((l: { message: string }) => l.message === 'working on Heat'));
    await removeHooks(h.id);
  });

  test('a command that keeps failing is auto-disabled like any hook', async () => {
    const h = await addHook({ kind: 'command', events: ['library.scan.completed'], command: [fixture('fail.sh')] });
    for (let i = 0; i < 3; i++) await d.call('POST', '/events?wait=true', { type: 'library.scan.completed', payload: {} });
    const got = await d.call('GET', `/hooks/${h.id}`);
    assert.equal(got.body.enabled, false);
    assert.match(got.body.disabledReason, /3 consecutive failures; last: exited with code 3/);
    await removeHooks(h.id);
  });

  test('a timed-out command filter is skipped and leaves no process behind', async () => {
    const h = await addHook({ kind: 'command', events: ['health.issue'], timeoutMs: 400, command: [fixture('hang.sh'), MARKER] });
    const r = await d.call('POST', '/events?wait=true', { type: 'health.issue', payload: { message: 'disk' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.payload, { message: 'disk' });
    assert.equal(r.body.results[0].status, 'timeout');
    const inv = await d.call('GET', `/hooks/${h.id}/invocations`);
    const bg = backgroundPid(inv.body.items[0].logs);
    await waitFor(async () => !isAlive(bg) && processesWith(MARKER).length === 0 && processesWith(r.body.id).length === 0, 'the process group to be gone');
    await removeHooks(h.id);
  });

  test('payload strings that look like shell stay inert', async () => {
    const h = await addHook({ kind: 'command', mode: 'action', events: ['download.failed'], command: [fixture('inert.sh')] });
    const attacks = [`$(touch ${temp.dir}/pwned-1)`, `; touch ${temp.dir}/pwned-2`, `\`touch ${temp.dir}/pwned-3\``, '; rm -rf ~'];
    for (const title of attacks) {
      const r = await d.call('POST', '/events', { type: 'download.failed', payload: { title, reason: title } });
      assert.equal(r.status, 202);
    }
    await d.daemon.idle();
    const inv = await d.call('GET', `/hooks/${h.id}/invocations`);
    assert.equal(inv.body.items.length, attacks.length);
    for (const item of inv.body.items) assert.equal(item.status, 'ok');
    const titles = inv.body.items.flatMap((i: { logs: Array<{ message: string }> }) => i.logs.map((l) => l.message)).filter((m: string) => m.startsWith('title='));
    assert.deepEqual(titles.sort(), attacks.map((t) => `title=${t}`).sort());
    for (const n of [1, 2, 3]) assert.equal(existsSync(join(temp.dir, `pwned-${n}`)), false);
    await removeHooks(h.id);
  });
});

describe('dry runs', () => {
  test('POST /hooks/:id/test runs a saved command with the event on stdin and stores nothing', async () => {
    const h = await addHook({ kind: 'command', events: ['search.completed'], command: [fixture('tag-year.sh')] });
    const r = await d.call('POST', `/hooks/${h.id}/test`, { type: 'search.completed', payload: { query: 'q' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'ok');
    assert.deepEqual(r.body.result, { patch: { tags: ['year-', 'first-genre-'] } });
    assert.deepEqual(r.body.payload, { query: 'q', tags: ['year-', 'first-genre-'] });
    assert.deepEqual((await d.call('GET', `/hooks/${h.id}/invocations`)).body.items, []);
    await removeHooks(h.id);
  });

  test('POST /hooks/test runs an unsaved command', async () => {
    const r = await d.call('POST', '/hooks/test', { command: ['/usr/bin/cat'], type: 'media.added', payload: { title: 'Paprika' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.result.type, 'media.added');
    assert.deepEqual(r.body.result.payload, { title: 'Paprika' });
    const missing = await d.call('POST', '/hooks/test', { command: ['/nonexistent/x'], type: 'media.added', payload: { title: 'x' } });
    assert.equal(missing.status, 422);
  });
});

describe('the hooks directory', () => {
  const byFile = async () => {
    const list = (await d.call('GET', '/hooks')).body.items as Array<Record<string, any>>;
    return new Map(list.filter((h) => h.origin === 'file').map((h) => [h.file, h]));
  };

  test('an executable file becomes a command hook with its sidecar options', async () => {
    const hook = (await byFile()).get('download.grabbed/20-tagger.sh')!;
    assert.ok(hook, 'found');
    assert.equal(hook.kind, 'command');
    assert.equal(hook.name, 'tagger');
    assert.equal(hook.mode, 'filter');
    assert.equal(hook.priority, 20);
    assert.deepEqual(hook.events, ['download.grabbed']);
    assert.deepEqual(hook.command, [join(hooksDir, '20-tagger.sh')]);
    assert.deepEqual(hook.env, ['HOME']);
    assert.equal(hook.enabled, true);
    const r = await d.call('POST', '/events?wait=true', { type: 'download.grabbed', payload: { title: 'x' } });
    assert.deepEqual(r.body.payload, { title: 'x', tags: ['year-', 'first-genre-'] });
  });

  test('a file that cannot run, or a broken sidecar, is a recorded error; plain files are ignored', async () => {
    const files = await byFile();
    const forgot = files.get('download.grabbed/30-forgot-chmod.sh')!;
    assert.equal(forgot.enabled, false);
    assert.equal(forgot.kind, 'command');
    assert.match(forgot.disabledReason, /^download\.grabbed\/30-forgot-chmod\.sh: command program ".*" is not executable by the daemon's user: chmod \+x it/);
    const bad = files.get('download.grabbed/40-bad-sidecar')!;
    assert.equal(bad.enabled, false);
    assert.match(bad.disabledReason, /^download\.grabbed\/40-bad-sidecar\.json: not valid JSON/);
    assert.equal(files.has('download.grabbed/README.md'), false);
    assert.equal(files.has('download.grabbed/data.txt'), false);
  });
});
