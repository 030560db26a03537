// JSON nested too deep, sent as an attacker would: to every JSON body, in batches, and from
// hooks (a filter's output, a command's stdout, an emitted event, progress). It is refused
// with its pointer (or dropped with a logged reason) and never fails anyone else's request.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/commands/', import.meta.url));
const MAX_DEPTH = 64; // the default of events.maxDepth

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon({ config: { hooks: { watch: false }, progress: { rateLimit: 0 } } });
});
after(() => d.close());

const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
/** An event whose payload.deep is `depth` arrays deep: the body itself is depth + 2 deep. */
const deepEvent = (depth: number, type = 'media.added') => `{"type":"${type}","payload":{"title":"deep","deep":${nested(depth)}}}`;
// The first container past the limit: body (1) > payload (2) > deep (3) > deep/0 (4) ...
const tooDeepPointer = (prefix = '') => `${prefix}/payload/deep${'/0'.repeat(MAX_DEPTH - 2)}`;
const post = (body: unknown, opts: Record<string, unknown> = {}) => d.call('POST', '/events', body, { token: EVENTS_TOKEN, ...opts });

describe('deep JSON in request bodies', () => {
  test('a payload 5,000 deep gets 422 with its pointer while 60 concurrent valid posts all get 202 and are stored', async () => {
    const valid = Array.from({ length: 60 }, (_, i) => post({ type: 'media.added', payload: { title: `concurrent ${i}` } }));
    const deep = post(undefined, { raw: deepEvent(5_000) });
    const [bad, ...good] = await Promise.all([deep, ...valid]);
    assert.equal(bad!.status, 422, bad!.text);
    assert.equal(bad!.body.error.code, 'JSON_TOO_DEEP');
    assert.equal(bad!.body.error.details.pointer, tooDeepPointer());
    assert.match(bad!.body.error.message, new RegExp(`more than ${MAX_DEPTH} levels.*events\\.maxDepth`));
    assert.deepEqual(good.map((r) => r.status), good.map(() => 202));
    for (const r of good) assert.equal((await d.call('GET', `/events/${r.body.id}`)).status, 200);
  });

  test('exactly at the limit is accepted and stored whole', async () => {
    const r = await post(undefined, { raw: deepEvent(MAX_DEPTH - 3) });
    assert.equal(r.status, 202, r.text);
    const back = await d.call('GET', `/events/${r.body.id}`);
    assert.equal(JSON.stringify(back.body.payload.deep), nested(MAX_DEPTH - 3));
  });

  test('in a JSON-array batch the deep item is reported alone; the others are stored', async () => {
    const items = [`{"type":"media.added","payload":{"title":"a"}}`, deepEvent(3_000), `{"type":"media.added","payload":{"title":"c"}}`];
    const r = await post(undefined, { raw: `[${items.join(',')}]` });
    assert.equal(r.status, 207, r.text);
    assert.deepEqual(r.body.results.map((x: { status: number }) => x.status), [202, 422, 202]);
    assert.equal(r.body.results[1].code, 'JSON_TOO_DEEP');
    assert.equal(r.body.results[1].details.pointer, `/1${tooDeepPointer()}`);
    for (const i of [0, 2]) assert.equal((await d.call('GET', `/events/${r.body.results[i].id}`)).status, 200);
  });

  test('in NDJSON the deep line is reported with its line number; the others are stored', async () => {
    const lines = [`{"type":"media.added","payload":{"title":"a"}}`, deepEvent(100_000), `{"type":"media.added","payload":{"title":"c"}}`];
    const r = await post(undefined, { raw: lines.join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
    assert.equal(r.status, 207, r.text);
    assert.deepEqual(r.body.results.map((x: { status: number }) => x.status), [202, 422, 202]);
    assert.equal(r.body.results[1].details.line, 2);
    assert.equal(r.body.results[1].details.pointer, tooDeepPointer());
    assert.match(r.body.results[1].message, /^line 2: /);
  });

  const adminRoutes: Array<[string, string]> = [
    ['POST', '/hooks'],
    ['POST', '/hooks/test'],
    ['POST', '/webhooks'],
  ];
  for (const [method, path] of adminRoutes) {
    test(`${method} ${path} with a deep body is a 422, not a 500`, async () => {
      const r = await d.call(method, path, undefined, { raw: `{"name":"x","events":${nested(10_000)}}` });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.error.code, 'JSON_TOO_DEEP');
      assert.equal(r.body.error.details.pointer, `/events${'/0'.repeat(MAX_DEPTH - 1)}`);
    });
  }
});

let seq = 0;
async function addHook(def: Record<string, unknown>) {
  const r = await d.call('POST', '/hooks', { name: `deep-${++seq}`, mode: 'filter', ...def });
  assert.equal(r.status, 201, r.text);
  return r.body as { id: string; name: string };
}
const removeHook = async (id: string) => assert.equal((await d.call('DELETE', `/hooks/${id}`)).status, 204);

describe('deep JSON from hooks', () => {
  const deepPatch = 'export default () => { let v = 1; for (let i = 0; i < 3000; i++) v = [v]; return { patch: { deep: v } }; }';

  test('a module filter answering 3,000 levels is invalid-output; the payload is stored as posted', async () => {
    const h = await addHook({ events: ['media.added'], source: deepPatch });
    const waited = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'Dune' } });
    assert.equal(waited.status, 200, waited.text);
    assert.equal(waited.body.results[0].status, 'invalid-output');
    assert.match(waited.body.results[0].error, new RegExp(`deeper than ${MAX_DEPTH} levels`));
    assert.deepEqual(waited.body.payload, { title: 'Dune' });
    const stored = await d.call('GET', `/events/${waited.body.id}`);
    assert.deepEqual(stored.body.finalPayload ?? stored.body.payload, { title: 'Dune' });
    const dry = await d.call('POST', `/hooks/${h.id}/test`, { type: 'media.added', payload: { title: 'Dune' } });
    assert.equal(dry.status, 200, dry.text);
    assert.equal(dry.body.status, 'invalid-output');
    await removeHook(h.id);
  });

  test('a command filter printing 3,000 levels on stdout is invalid-output', async () => {
    const h = await addHook({ kind: 'command', events: ['media.updated'], command: [`${FIXTURES}deep-json.sh`, '3000'] });
    const r = await d.call('POST', '/events?wait=true', { type: 'media.updated', payload: { title: 'x' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.results[0].status, 'invalid-output');
    assert.deepEqual(r.body.payload, { title: 'x' });
    await removeHook(h.id);
  });

  test('an action hook returning 3,000 levels is invalid-result, in a dry run and in the invocation log', async () => {
    const h = await addHook({ mode: 'action', events: ['media.removed'], source: deepPatch.replace('{ patch: { deep: v } }', 'v') });
    const dry = await d.call('POST', `/hooks/${h.id}/test`, { type: 'media.removed', payload: { title: 'x' } });
    assert.equal(dry.status, 200, dry.text);
    assert.equal(dry.body.status, 'invalid-result');
    assert.equal(dry.body.result, undefined);
    assert.match(dry.body.error.message, /cannot be kept as JSON: .*deeper than/);
    assert.equal((await post({ type: 'media.removed', payload: { title: 'x' } })).status, 202);
    await d.daemon.idle();
    const runs = await d.call('GET', `/hooks/${h.id}/invocations`);
    assert.equal(runs.body.items[0].status, 'invalid-result');
    await removeHook(h.id);
  });

  test('a command action printing 3,000 levels on stdout is invalid-result', async () => {
    const h = await addHook({ kind: 'command', mode: 'action', events: ['media.imported'], command: [`${FIXTURES}deep-json.sh`, '3000'] });
    const dry = await d.call('POST', `/hooks/${h.id}/test`, { type: 'media.imported', payload: { title: 'x' } });
    assert.equal(dry.status, 200, dry.text);
    assert.equal(dry.body.status, 'invalid-result');
    await removeHook(h.id);
  });

  test('ctx.emit of a payload 3,000 deep throws in the hook; its other emits are stored', async () => {
    const h = await addHook({
      mode: 'action',
      events: ['download.grabbed'],
      source: `export default (e, ctx) => {
        let v = 1; for (let i = 0; i < 3000; i++) v = [v];
        let refusal = 'none';
        try { ctx.emit('health.issue', { message: 'deep', deep: v }); } catch (err) { refusal = err.name + ': ' + err.message; }
        ctx.emit('health.issue', { message: 'after deep ' + e.id, source: refusal });
      }`,
    });
    const r = await post({ type: 'download.grabbed', payload: { title: 'x' } });
    assert.equal(r.status, 202);
    const raised = await waitFor(async () => {
      const list = await d.call('GET', '/events?type=health.issue&limit=100');
      return list.body.items.find((e: { payload: { message: string } }) => e.payload.message === `after deep ${r.body.id}`);
    }, 'the shallow emitted event');
    assert.match(raised.payload.source, new RegExp(`^RangeError: ctx.emit: the payload of "health.issue" is nested more than ${MAX_DEPTH} levels deep at /deep(/0){${MAX_DEPTH - 1}}$`));
    const list = await d.call('GET', '/events?type=health.issue&limit=100');
    assert.equal(list.body.items.filter((e: { causationId: string }) => e.causationId === r.body.id).length, 1, 'only the shallow one');
    const runs = await d.call('GET', `/hooks/${h.id}/invocations`);
    assert.equal(runs.body.items[0].status, 'ok');
    await removeHook(h.id);
  });

  test('ctx.progress with data nested too deep throws in the hook; GET /progress still answers', async () => {
    const h = await addHook({
      mode: 'action',
      events: ['library.scan.completed'],
      source: `export default (e, ctx) => {
        let v = 1; for (let i = 0; i < 100; i++) v = { v };
        try { ctx.progress({ key: 'deep', pct: 1, data: v }); } catch (err) { return err.message; }
        return 'accepted';
      }`,
    });
    const dry = await d.call('POST', `/hooks/${h.id}/test`, { type: 'library.scan.completed', payload: {} });
    assert.equal(dry.status, 200, dry.text);
    assert.match(dry.body.result, new RegExp(`data is nested more than ${MAX_DEPTH - 1} levels deep at (/v){${MAX_DEPTH - 1}}$`));
    const progress = await d.call('GET', '/progress');
    assert.equal(progress.status, 200);
    await removeHook(h.id);
  });
});
