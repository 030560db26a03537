// Dispatch through the real daemon: the hooks API, filter chains, action hooks, the
// invocation log, auto-disable and dry runs. Hooks run in the real sandbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon({
    config: {
      // The default chain deadline (10s): a 3 s one was cut on a loaded machine while a worker
      // replaced after a timeout started, failing a chain that should finish.
      hooks: { disableAfterFailures: 3, watch: false },
      catalog: { 'custom.sync': { kind: 'business', sync: true } },
    },
  });
});
after(() => d.close());

let seq = 0;
async function addHook(def: Record<string, unknown>) {
  const r = await d.call('POST', '/hooks', { name: `h${++seq}`, mode: 'filter', ...def });
  assert.equal(r.status, 201, r.text);
  return r.body as { id: string; name: string; version: number };
}
const removeHooks = async (...ids: string[]) => {
  for (const id of ids) assert.equal((await d.call('DELETE', `/hooks/${id}`)).status, 204);
};
const filterEvent = (type: string, payload: unknown) => d.call('POST', '/events?wait=true', { type, payload });

describe('the hooks API', () => {
  test('a source that does not compile is a 400 with line and column', async () => {
    const r = await d.call('POST', '/hooks', { name: 'broken', events: ['media.added'], mode: 'filter', source: 'export default function (e) {\n  return {;\n}' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'COMPILE_ERROR');
    assert.equal(r.body.error.details.line, 2);
    assert.match(r.body.error.message, /^broken\.js:2:\d+: /);
  });

  test('an import is a compile error: a hook is one module', async () => {
    const r = await d.call('POST', '/hooks', { name: 'importer', events: ['media.added'], mode: 'filter', source: "import fs from 'node:fs';\nexport default () => fs;" });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /import/i);
  });

  const rejected: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ['a pattern that matches no catalog type', { events: ['media.exploded'] }, 422, /matches no event type/],
    ['a malformed pattern', { events: ['Media Added'] }, 400, /malformed/],
    ['an unknown mode', { mode: 'sometimes' }, 400, /\/mode/],
    ['an unknown limit profile', { limits: 'huge' }, 422, /limit profile "huge"/],
    ['a missing source', { source: undefined }, 400, /\/source is required/],
    ['an unknown field', { sauce: 'x' }, 400, /\/sauce is not a known property/],
  ];
  for (const [name, change, status, message] of rejected) {
    test(`${name} is refused with ${status}`, async () => {
      const r = await d.call('POST', '/hooks', { name: `bad-${seq++}`, events: ['media.added'], mode: 'filter', source: 'export default () => {}', ...change });
      assert.equal(r.status, status, r.text);
      assert.match(r.body.error.message, message);
    });
  }

  test('every change bumps the version; GET, PATCH and DELETE work by id', async () => {
    const hook = await addHook({ events: ['media.added'], source: 'export default () => {}' });
    assert.equal(hook.version, 1);
    const patched = await d.call('PATCH', `/hooks/${hook.id}`, { priority: 5, events: ['media.*'] });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.version, 2);
    assert.deepEqual(patched.body.events, ['media.*']);
    const got = await d.call('GET', `/hooks/${hook.id}`);
    assert.equal(got.body.priority, 5);
    const listed = await d.call('GET', '/hooks');
    assert.ok(listed.body.items.some((h: { id: string }) => h.id === hook.id));
    await removeHooks(hook.id);
    assert.equal((await d.call('GET', `/hooks/${hook.id}`)).status, 404);
  });

  test('a duplicate name is a 409', async () => {
    const hook = await addHook({ events: ['media.added'], source: 'export default () => {}' });
    const r = await d.call('POST', '/hooks', { name: hook.name, events: ['media.added'], mode: 'filter', source: 'export default () => {}' });
    assert.equal(r.status, 409);
    await removeHooks(hook.id);
  });
});

describe('the filter chain', () => {
  test('filters run in priority order, each getting the previous output; patch and whole payload both work', async () => {
    const a = await addHook({ events: ['media.added'], priority: 20, source: 'export default (e) => ({ patch: { tags: [...(e.payload.tags ?? []), "second"] } })' });
    const b = await addHook({ events: ['media.*'], priority: 10, source: 'export default (e) => ({ ...e.payload, tags: ["first"], year: 1999 })' });
    const c = await addHook({ events: ['*'], priority: 30, source: 'export default (e) => ({ patch: { year: null, qualityProfile: e.payload.tags.join("+") } })' });
    const r = await filterEvent('media.added', { title: 'Akira', year: 1988 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.payload, { title: 'Akira', tags: ['first', 'second'], qualityProfile: 'first+second' });
    assert.equal(r.body.changed, true);
    assert.deepEqual(r.body.results.map((x: { hook: { id: string } }) => x.hook.id), [b.id, a.id, c.id]);
    assert.ok(r.body.results.every((x: { status: string }) => x.status === 'ok'));
    const stored = await d.call('GET', `/events/${r.body.id}`);
    assert.deepEqual(stored.body.finalPayload, r.body.payload);
    assert.deepEqual(stored.body.payload, { title: 'Akira', year: 1988 }, 'the posted payload is kept too');
    await removeHooks(a.id, b.id, c.id);
  });

  test('a hook returning nothing changes nothing', async () => {
    const h = await addHook({ events: ['health.issue'], source: 'export default () => undefined' });
    const r = await filterEvent('health.issue', { message: 'disk' });
    assert.deepEqual(r.body.payload, { message: 'disk' });
    assert.equal(r.body.changed, false);
    await removeHooks(h.id);
  });

  test('output that violates the schema is discarded and recorded; the chain goes on', async () => {
    const bad = await addHook({ events: ['media.added'], priority: 1, source: 'export default () => ({ patch: { year: "nineteen" } })' });
    const good = await addHook({ events: ['media.added'], priority: 2, source: 'export default () => ({ patch: { qualityProfile: "HD" } })' });
    const r = await filterEvent('media.added', { title: 'Ran' });
    assert.deepEqual(r.body.payload, { title: 'Ran', qualityProfile: 'HD' });
    assert.equal(r.body.results[0].status, 'invalid-output');
    assert.match(r.body.results[0].error, /\/year must be integer/);
    const inv = await d.call('GET', `/hooks/${bad.id}/invocations`);
    assert.equal(inv.body.items[0].status, 'invalid-output');
    await removeHooks(bad.id, good.id);
  });

  test('a hook that throws or times out mid-chain is skipped and the rest still apply', async () => {
    const first = await addHook({ events: ['download.completed'], priority: 1, source: 'export default () => ({ patch: { path: "/one" } })' });
    const thrower = await addHook({ events: ['download.completed'], priority: 2, source: 'export default () => {\n  throw new Error("boom");\n}' });
    const spinner = await addHook({ events: ['download.completed'], priority: 3, timeoutMs: 300, source: 'export default () => { while (true) {} }' });
    const last = await addHook({ events: ['download.completed'], priority: 4, source: 'export default (e) => ({ patch: { downloadId: e.payload.path + "!" } })' });
    const r = await filterEvent('download.completed', { title: 'x' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((x: { status: string }) => x.status), ['ok', 'error', 'timeout', 'ok']);
    assert.match(r.body.results[1].error, /boom/);
    assert.deepEqual(r.body.payload, { title: 'x', path: '/one', downloadId: '/one!' });
    const inv = await d.call('GET', `/hooks/${thrower.id}/invocations`);
    assert.equal(inv.body.items[0].error.line, 2, 'the error points at the author\'s line');
    await removeHooks(first.id, thrower.id, spinner.id, last.id);
  });

  test('a repeated id under wait answers the stored result without running the chain again', async () => {
    const h = await addHook({ events: ['search.completed'], source: 'export default () => ({ patch: { results: 7 } })' });
    const first = await d.call('POST', '/events?wait=true', { type: 'search.completed', id: 'wait-dup', payload: { query: 'q' } });
    const again = await d.call('POST', '/events?wait=true', { type: 'search.completed', id: 'wait-dup', payload: { query: 'q' } });
    assert.deepEqual(again.body.payload, first.body.payload);
    assert.equal(again.body.duplicate, true);
    const inv = await d.call('GET', `/hooks/${h.id}/invocations`);
    assert.equal(inv.body.items.length, 1);
    await removeHooks(h.id);
  });
});

describe('a catalog type marked sync', () => {
  test('runs its filter chain on every POST, single or batched, and stores the final payload', async () => {
    const h = await addHook({ events: ['custom.sync'], source: 'export default (e) => ({ patch: { seen: true } })' });
    const single = await d.call('POST', '/events', { type: 'custom.sync', payload: { n: 1 } });
    assert.equal(single.status, 200);
    assert.deepEqual(single.body.payload, { n: 1, seen: true });
    const batch = await d.call('POST', '/events', [
      { type: 'custom.sync', payload: { n: 2 } },
      { type: 'media.added', payload: { title: 'not sync' } },
    ]);
    assert.equal(batch.status, 207);
    const synced = await d.call('GET', `/events/${batch.body.results[0].id}`);
    assert.deepEqual(synced.body.finalPayload, { n: 2, seen: true });
    assert.equal(synced.body.status, 'done');
    assert.equal(synced.body.invocations[0].hookId, h.id);
    const plain = await d.call('GET', `/events/${batch.body.results[1].id}`);
    assert.equal(plain.body.finalPayload, undefined);
    await removeHooks(h.id);
  });
});

describe('action hooks', () => {
  test('run after the POST with the final payload, and are logged with the event', async () => {
    const filter = await addHook({ events: ['media.imported'], source: 'export default () => ({ patch: { quality: "1080p" } })' });
    const action = await addHook({ mode: 'action', events: ['media.imported'], source: 'export default (e, ctx) => { ctx.log.info("saw " + e.payload.quality); }' });
    const r = await filterEvent('media.imported', { title: 'x' });
    await d.daemon.idle();
    const ev = await d.call('GET', `/events/${r.body.id}`);
    assert.equal(ev.body.status, 'done');
    const actionRun = ev.body.invocations.find((i: { hookId: string }) => i.hookId === action.id);
    assert.equal(actionRun.status, 'ok');
    assert.equal(actionRun.logs[0].message, 'saw 1080p');
    await removeHooks(filter.id, action.id);
  });

  test('an event without wait runs action hooks and no filters', async () => {
    const filter = await addHook({ events: ['media.removed'], source: 'export default () => ({ patch: { deleteFiles: true } })' });
    const action = await addHook({ mode: 'action', events: ['media.removed'], source: 'export default (e, ctx) => { ctx.log.info(String(e.payload.deleteFiles)); }' });
    const r = await d.call('POST', '/events', { type: 'media.removed', payload: { title: 'x' } });
    assert.equal(r.status, 202);
    await d.daemon.idle();
    const ev = await d.call('GET', `/events/${r.body.id}`);
    assert.deepEqual(ev.body.invocations.map((i: { hookId: string }) => i.hookId), [action.id]);
    assert.equal(ev.body.invocations[0].logs[0].message, 'undefined');
    await removeHooks(filter.id, action.id);
  });
});

describe('auto-disable', () => {
  test('N consecutive failures disable a hook with the reason; PATCH enabled re-enables and resets', async () => {
    const h = await addHook({ events: ['library.scan.completed'], source: 'export default () => { throw new Error("always"); }' });
    for (let i = 0; i < 3; i++) await filterEvent('library.scan.completed', {});
    const disabled = await d.call('GET', `/hooks/${h.id}`);
    assert.equal(disabled.body.enabled, false);
    assert.match(disabled.body.disabledReason, /3 consecutive failures; last: always/);
    // The count moved, so the 0 after re-enabling below proves a reset, not a count never kept.
    assert.equal(disabled.body.consecutiveFailures, 3);
    const skipped = await filterEvent('library.scan.completed', {});
    assert.deepEqual(skipped.body.results, [], 'a disabled hook does not run');
    const enabled = await d.call('PATCH', `/hooks/${h.id}`, { enabled: true });
    assert.equal(enabled.body.enabled, true);
    assert.equal(enabled.body.consecutiveFailures, 0);
    assert.equal(enabled.body.disabledReason, null);
    const again = await filterEvent('library.scan.completed', {});
    assert.equal(again.body.results.length, 1);
    await removeHooks(h.id);
  });

  test('a success resets the failure count', async () => {
    const h = await addHook({ events: ['config.updated'], source: 'export default (e) => { if (e.payload.fail) throw new Error("x"); }' });
    await filterEvent('config.updated', { fail: true });
    await filterEvent('config.updated', { fail: true });
    await filterEvent('config.updated', {});
    assert.equal((await d.call('GET', `/hooks/${h.id}`)).body.consecutiveFailures, 0);
    await removeHooks(h.id);
  });
});

describe('dry runs', () => {
  test('POST /hooks/:id/test runs a saved hook and stores nothing', async () => {
    const h = await addHook({ events: ['media.added'], source: 'export default (e, ctx) => { ctx.log.warn("dry"); return { patch: { year: 2001 } }; }' });
    const before = await d.call('GET', '/events?limit=1000');
    const r = await d.call('POST', `/hooks/${h.id}/test`, { type: 'media.added', payload: { title: 'Spirited Away' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'ok');
    assert.deepEqual(r.body.payload, { title: 'Spirited Away', year: 2001 });
    assert.deepEqual(r.body.logs.map((l: { message: string }) => l.message), ['dry']);
    assert.equal(typeof r.body.durationMs, 'number');
    assert.equal((await d.call('GET', '/events?limit=1000')).body.items.length, before.body.items.length);
    assert.deepEqual((await d.call('GET', `/hooks/${h.id}/invocations`)).body.items, []);
    await removeHooks(h.id);
  });

  test('a dry run judges filter output as the chain does: schema-refused output is invalid-output', async () => {
    const r = await d.call('POST', '/hooks/test', { source: 'export default () => ({ patch: { year: "soon" } })', type: 'media.added', payload: { title: 'x' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'invalid-output');
    assert.match(r.body.error.message, /\/year must be integer/);
    assert.equal(r.body.payload, undefined);
  });

  test('POST /hooks/test runs unsaved source, and reports its compile errors', async () => {
    const ok = await d.call('POST', '/hooks/test', { source: 'export default (e) => e.payload.title.toUpperCase()', type: 'media.added', payload: { title: 'paprika' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.result, 'PAPRIKA');
    const broken = await d.call('POST', '/hooks/test', { source: 'export default (', type: 'media.added', payload: { title: 'x' } });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error.code, 'COMPILE_ERROR');
    const badPayload = await d.call('POST', '/hooks/test', { source: 'export default () => 1', type: 'media.added', payload: {} });
    assert.equal(badPayload.status, 422);
  });
});

test('the hooks API needs the admin scope, to read as well as to change: an events token gets 403', async () => {
  const { EVENTS_TOKEN } = await import('../helpers/daemon.ts');
  const made = await d.call('POST', '/hooks', { name: 'admin-only', events: ['media.added'], mode: 'action', source: 'export default () => {}' });
  assert.equal(made.status, 201, made.text);
  const calls: Array<[string, string, unknown]> = [
    ['GET', '/hooks', undefined],
    ['GET', `/hooks/${made.body.id}`, undefined],
    ['POST', '/hooks', { name: 'nope', events: ['media.added'], mode: 'action', source: 'export default () => {}' }],
  ];
  for (const [method, path, body] of calls) {
    const r = await d.call(method, path, body, { token: EVENTS_TOKEN });
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal(r.body.error.code, 'FORBIDDEN');
    assert.match(r.body.error.message, /"admin" scope/);
    assert.doesNotMatch(r.text, /admin-only/, 'nothing of the hook in the refusal');
  }
  assert.equal((await d.call('DELETE', `/hooks/${made.body.id}`)).status, 204);
});
