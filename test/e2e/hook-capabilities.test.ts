// What hooks may do beyond returning a value, through the real daemon: report progress,
// emit business events (with loop guards), fetch and read env by permission; and the
// guarantee that progress never reaches hooks or webhooks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { waitForDoneEvent } from '../helpers/events.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const SECRET = 'tmdb-secret-value-9d1f';
let d: TestDaemon;
let receiver: WebhookReceiver;
let other: WebhookReceiver;
before(async () => {
  process.env.CAP_TEST_VISIBLE = 'visible-value';
  process.env.CAP_TEST_HIDDEN = 'hidden-value';
  receiver = await startWebhookReceiver((r) => (r.path.startsWith('/api') ? { body: JSON.stringify({ ok: true, path: r.path }), headers: { 'content-type': 'application/json' } } : undefined));
  other = await startWebhookReceiver();
  d = await startTestDaemon({ config: { hooks: { watch: false, maxEmitDepth: 3 }, secrets: { TMDB_API_KEY: SECRET } } });
});
after(async () => {
  await d.close();
  await receiver.close();
  await other.close();
});

let n = 0;
async function addHook(def: Record<string, unknown>) {
  const r = await d.call('POST', '/hooks', { name: `cap${++n}`, mode: 'action', ...def });
  assert.equal(r.status, 201, r.text);
  return r.body as { id: string; name: string };
}
const remove = async (...ids: string[]) => {
  for (const id of ids) await d.call('DELETE', `/hooks/${id}`);
};
const invocationsOf = async (id: string) => (await d.call('GET', `/hooks/${id}/invocations?limit=500`)).body.items as Array<Record<string, any>>;

test('progress events never reach a hook or a webhook, while business events reach both', async () => {
  const hook = await addHook({ events: ['*'], source: 'export default (e, ctx) => { ctx.log.info(e.type); }' });
  const webhook = await d.call('POST', '/webhooks', { url: `${receiver.url}/all`, events: ['*'] });
  assert.equal(webhook.status, 201, webhook.text);
  for (let i = 0; i < 50; i++) {
    await d.call('POST', '/events', { type: 'download.progress', payload: { downloadId: 'p', pct: i } });
    await d.call('POST', '/events', { type: 'job.progress', payload: { key: 'j', pct: i } });
  }
  const marker = await d.call('POST', '/events', { type: 'download.completed', payload: { title: 'marker' } });
  await receiver.waitFor((rs) => rs.some((r) => r.path === '/all' && r.body.includes(marker.body.id)));
  await d.daemon.idle();
  const types = (await invocationsOf(hook.id)).map((i) => i.logs[0]?.message);
  assert.ok(types.includes('download.completed'), 'the catch-all hook saw the business event');
  assert.ok(!types.some((t) => String(t).endsWith('.progress')), `no progress reached the hook: ${types}`);
  const delivered = receiver.requests.filter((r) => r.path === '/all').map((r) => JSON.parse(r.body).type as string);
  assert.ok(!delivered.some((t) => t.endsWith('.progress')), `no progress reached the webhook: ${delivered}`);
  await d.call('DELETE', `/webhooks/${webhook.body.id}`);
  await remove(hook.id);
});

test('ctx.progress from a running hook reaches GET /progress as job.progress', async () => {
  const hook = await addHook({ mode: 'filter', events: ['library.scan.completed'], source: 'export default (e, ctx) => { ctx.progress({ pct: 50, message: "half" }); ctx.progress({ key: "files", pct: 100 }); }' });
  const r = await d.call('POST', '/events?wait=true', { type: 'library.scan.completed', payload: { files: 3 } });
  assert.equal(r.status, 200);
  const latest = await waitFor(async () => {
    const items = (await d.call('GET', '/progress?types=job.progress')).body.items as Array<{ key: string; payload: any }>;
    const mine = items.filter((i) => i.key.startsWith(`hook:${hook.name}:`));
    return mine.length === 2 ? mine : undefined;
  }, 'hook progress in GET /progress');
  const byKey = new Map(latest.map((i) => [i.key, i.payload]));
  assert.equal(byKey.get(`hook:${hook.name}:${r.body.id}`).message, 'half');
  assert.equal(byKey.get(`hook:${hook.name}:files`).pct, 100);
  await remove(hook.id);
});

describe('ctx.emit', () => {
  test('an emitted event is dispatched like a posted one and carries its causation', async () => {
    const emitter = await addHook({ events: ['media.added'], source: 'export default (e, ctx) => { ctx.emit("download.grabbed", { title: e.payload.title, indexer: "x" }); }' });
    const listener = await addHook({ events: ['download.grabbed'], source: 'export default (e, ctx) => { ctx.log.info("grabbed " + e.payload.title); }' });
    const posted = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'Dune' } });
    const run = await waitFor(async () => (await invocationsOf(listener.id))[0], 'the listener to run');
    assert.equal(run.logs[0].message, 'grabbed Dune');
    const emitted = await d.call('GET', `/events/${run.eventId}`);
    assert.equal(emitted.body.causationId, posted.body.id);
    assert.equal(emitted.body.depth, 1);
    assert.equal(emitted.body.source, `hook:${emitter.name}`);
    await remove(emitter.id, listener.id);
  });

  test("a waiting POST's filter hook emits are stored in the event's own commit: there when the answer comes, and never for a post that stored nothing", async () => {
    const filter = await addHook({ mode: 'filter', events: ['media.removed'], source: 'export default (e, ctx) => { ctx.emit("health.issue", { message: "removed " + e.payload.title }); }' });
    const posted = await d.call('POST', '/events?wait=true', { type: 'media.removed', payload: { title: 'Dune' } });
    assert.equal(posted.status, 200, posted.text);
    // Read at once: no background write is left to finish first.
    const children = (await d.call('GET', `/events/${posted.body.id}/emitted`)).body.items as Array<Record<string, any>>;
    assert.deepEqual(children.map((c) => [c.type, c.payload, c.depth, c.source]), [['health.issue', { message: 'removed Dune' }, 1, `hook:${filter.name}`]]);
    // GET /events lists newest first: the child was stored after its cause.
    const listed = (await d.call('GET', '/events?limit=100')).body.items.map((e: { id: string }) => e.id) as string[];
    assert.ok(listed.indexOf(children[0]!.id) >= 0 && listed.indexOf(children[0]!.id) < listed.indexOf(posted.body.id), 'stored after the event it came from');
    // Three waiting posts of one new client id at once: each runs the chain (the id is not
    // stored yet when they look), one stores the event, and only its chain's emit is kept.
    const racing = await Promise.all([1, 2, 3].map(() => d.call('POST', '/events?wait=true', { type: 'media.removed', id: 'emit-once', payload: { title: 'Arrival' } })));
    assert.deepEqual(racing.map((r) => r.status), [200, 200, 200]);
    const once = (await d.call('GET', '/events/emit-once/emitted')).body.items as Array<Record<string, any>>;
    assert.deepEqual(once.map((c) => c.payload), [{ message: 'removed Arrival' }], 'one emitted event, from the post that stored its cause');
    await remove(filter.id);
  });

  test('an event never triggers the hook that emitted it', async () => {
    const self = await addHook({ events: ['media.updated'], source: 'export default (e, ctx) => { ctx.emit("media.updated", { title: e.payload.title + "+" }); }' });
    const posted = await d.call('POST', '/events', { type: 'media.updated', payload: { title: 'a' } });
    // The event it emitted is stored and dispatched (done): had it reached its emitter, that run is recorded by now.
    await waitForDoneEvent(d, 'media.updated', (e) => e.causationId === posted.body.id);
    await d.daemon.idle();
    const runs = await invocationsOf(self.id);
    assert.equal(runs.length, 1, 'the emitted media.updated did not come back to its emitter');
    await remove(self.id);
  });

  test('a ping-pong between two hooks stops at the depth limit', async () => {
    const ping = await addHook({ events: ['search.completed'], source: 'export default (e, ctx) => { ctx.emit("health.issue", { message: "from ping" }); }' });
    const pong = await addHook({ events: ['health.issue'], source: 'export default (e, ctx) => { ctx.emit("search.completed", { query: "from pong" }); }' });
    await d.call('POST', '/events', { type: 'search.completed', payload: { query: 'start' } });
    // depth 0 search -> 1 health -> 2 search(pong, not ping again: ping emitted in this chain).
    // The last event of the chain is dispatched (done): any run it caused is recorded by now.
    await waitForDoneEvent(d, 'search.completed', (e) => e.depth === 2 && (e.payload as { query?: string }).query === 'from pong');
    await d.daemon.idle();
    const pings = (await invocationsOf(ping.id)).length;
    const pongs = (await invocationsOf(pong.id)).length;
    assert.equal(pings, 1, 'ping never receives an event its own emit caused');
    assert.equal(pongs, 1);
    await remove(ping.id, pong.id);
  });

  test('a chain of distinct hooks is cut at hooks.maxEmitDepth', async () => {
    const chain = ['media.added', 'media.updated', 'media.imported', 'download.grabbed', 'download.completed'];
    const hooks: Array<{ id: string; name: string }> = [];
    for (let i = 0; i < chain.length - 1; i++) {
      hooks.push(await addHook({ events: [chain[i]], source: `export default (e, ctx) => { ctx.emit(${JSON.stringify(chain[i + 1])}, { title: "step ${i + 1}" }); }` }));
    }
    const last = await addHook({ events: [chain.at(-1)], source: 'export default (e, ctx) => { ctx.log.info("reached"); }' });
    await d.call('POST', '/events', { type: 'media.added', payload: { title: 'step 0' } });
    // The run at depth 3 ends by dropping what it emitted (logged): nothing further is raised after that.
    await waitFor(async () => /hooks\.maxEmitDepth is 3/.test(d.logs.text()), 'the emit at depth 4 to be dropped');
    await d.daemon.idle();
    // depth 0 media.added -> 1 media.updated -> 2 media.imported -> 3 download.grabbed: the
    // hook on download.grabbed runs, but what it emits would be depth 4 and is dropped.
    assert.equal((await invocationsOf(hooks[3]!.id)).length, 1);
    assert.equal((await invocationsOf(last.id)).length, 0, 'the event at depth 4 was never raised');
    assert.match(d.logs.text(), /hooks\.maxEmitDepth is 3/);
    await remove(...hooks.map((h) => h.id), last.id);
  });
});

test('hook.executed reaches a subscribed webhook but never a hook', async () => {
  const catchAll = await addHook({ events: ['*'], source: 'export default (e, ctx) => { ctx.log.info(e.type); }' });
  const webhook = await d.call('POST', '/webhooks', { url: `${receiver.url}/executed`, events: ['hook.executed'] });
  const posted = await d.call('POST', '/events', { type: 'config.updated', payload: {} });
  const [delivery] = await receiver.waitFor((rs) => rs.some((r) => r.path === '/executed' && JSON.parse(r.body).payload.eventId === posted.body.id));
  assert.ok(delivery);
  const body = JSON.parse(receiver.requests.find((r) => r.path === '/executed' && JSON.parse(r.body).payload.eventId === posted.body.id)!.body);
  assert.equal(body.type, 'hook.executed');
  assert.equal(body.payload.hook.id, catchAll.id);
  assert.equal(body.payload.status, 'ok');
  await d.daemon.idle();
  const seen = (await invocationsOf(catchAll.id)).map((i) => i.logs[0]?.message);
  assert.ok(!seen.includes('hook.executed'));
  await d.call('DELETE', `/webhooks/${webhook.body.id}`);
  await remove(catchAll.id);
});

describe('permissions', () => {
  const allowed = () => new URL(receiver.url).host;

  test('fetch to an allowed local receiver works; another port is refused and the denial recorded', async () => {
    const hook = await addHook({
      mode: 'filter',
      events: ['media.added'],
      permissions: { net: [allowed()] },
      source: `export default async (e, ctx) => {
        const res = await ctx.fetch(${JSON.stringify(`${receiver.url}/api/movie`)});
        const body = await res.json();
        let refused = '';
        try { await ctx.fetch(${JSON.stringify(`${other.url}/x`)}); } catch (err) { refused = err.message; }
        return { patch: { path: body.path, tags: [refused] } };
      }`,
    });
    const r = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'x' } });
    assert.equal(r.body.results[0].status, 'ok', JSON.stringify(r.body));
    assert.equal(r.body.payload.path, '/api/movie');
    assert.match(r.body.payload.tags[0], new RegExp(`net access to "?127\\.0\\.0\\.1:${new URL(other.url).port}"? not granted: add it to permissions\\.net`));
    assert.equal(other.requests.length, 0, 'the other port got nothing');
    const [inv] = await invocationsOf(hook.id);
    assert.ok(inv!.logs.some((l: { message: string }) => /permission denied: net access/.test(l.message)), 'the denial is in the invocation');
    await remove(hook.id);
  });

  test('a hook without a net permission has no fetch', async () => {
    const hook = await addHook({ mode: 'filter', events: ['media.added'], source: 'export default (e, ctx) => ({ patch: { tags: [typeof ctx.fetch, typeof fetch] } })' });
    const r = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'x' } });
    assert.deepEqual(r.body.payload.tags, ['undefined', 'undefined']);
    await remove(hook.id);
  });

  test('bad net entries are refused at registration', async () => {
    const r = await d.call('POST', '/hooks', { name: 'badnet', mode: 'action', events: ['media.added'], permissions: { net: ['http://x/y'] }, source: 'export default () => {}' });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /permissions\.net/);
  });

  test('only the named env vars are visible, and secret values appear in no record or log line', async () => {
    const hook = await addHook({
      mode: 'filter',
      events: ['media.added'],
      permissions: { env: ['TMDB_API_KEY', 'CAP_TEST_VISIBLE'] },
      source: `export default (e, ctx) => {
        console.log('key is', ctx.env.TMDB_API_KEY);
        let hidden = 'absent';
        try { hidden = ctx.env.CAP_TEST_HIDDEN; } catch (err) { hidden = err.message; }
        if (e.payload.title === 'fail') throw new Error('failed with ' + ctx.env.TMDB_API_KEY);
        return { patch: { tags: [ctx.env.CAP_TEST_VISIBLE === 'visible-value' ? 'read it' : 'wrong', hidden, String(ctx.env.TMDB_API_KEY.length)] } };
      }`,
    });
    const r = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'x' } });
    assert.equal(r.body.payload.tags[0], 'read it');
    assert.match(r.body.payload.tags[1], /env access to "CAP_TEST_HIDDEN" not granted/);
    assert.equal(r.body.payload.tags[2], String(SECRET.length), 'the hook did read the secret');
    const failed = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'fail' } });
    assert.equal(failed.body.results[0].status, 'error');
    const records = JSON.stringify(await invocationsOf(hook.id));
    assert.ok(!records.includes(SECRET), 'no secret in invocation records');
    assert.ok(records.includes('[redacted]'));
    assert.ok(!failed.text.includes(SECRET), 'no secret in the API answer');
    assert.ok(!d.logs.text().includes(SECRET), 'no secret in the daemon log');
    const shown = await d.call('GET', `/hooks/${hook.id}`);
    assert.deepEqual(shown.body.permissions, { env: ['TMDB_API_KEY', 'CAP_TEST_VISIBLE'] });
    await remove(hook.id);
  });

  test('a permission change is logged with the old and new value', async () => {
    const hook = await addHook({ events: ['media.added'], source: 'export default () => {}' });
    const r = await d.call('PATCH', `/hooks/${hook.id}`, { permissions: { net: ['api.themoviedb.org'] } });
    assert.equal(r.status, 200);
    const line = d.logs.lines().find((l) => l.msg === 'hook permissions changed' && l.hookId === hook.id);
    assert.ok(line, 'logged');
    assert.deepEqual(line!.before, {});
    assert.deepEqual(line!.after, { net: ['api.themoviedb.org'] });
    assert.equal(line!.by, 'test-admin');
    await remove(hook.id);
  });
});
