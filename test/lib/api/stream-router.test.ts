// GET /stream in the daemon's Koa app with the real stream hub and events table on temp SQLite:
// HEAD answers the headers and opens nothing, a live message reaches a matching stream, a
// known Last-Event-ID replays what follows it, an unknown or overlong one is a "gap", the
// events scope and the per-token limit. What SSE does over many events is test/e2e/stream.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStreamRouter } from '../../../lib/api/stream-router.ts';
import { createBus, type Bus } from '../../../lib/bus.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import { createEventsStore } from '../../../lib/db/events-store.ts';
import { createStreamHub, type StreamHub } from '../../../lib/progress/stream-hub.ts';
import { serveRouters, UNIT_ADMIN, UNIT_PRODUCER, type ServedRouters } from '../../helpers/serve-routers.ts';
import { createTestLogger, defaultCatalog, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';
import { waitFor } from '../../helpers/wait.ts';
import { openStream, type StreamReader } from '../progress/sse-reader.ts';

let t: TestDb;
let api: ServedRouters;
let bus: Bus;
let hub: StreamHub;
const open: StreamReader[] = [];

before(async () => {
  t = await openTestDb();
  bus = createBus();
  const config = { ...loadConfig({ env: {} }).stream, maxClientsPerToken: 2, heartbeatMs: 0 };
  hub = createStreamHub({ bus, config });
  const events = createEventsStore(t.db);
  await t.db.transaction((trx) => events.insertMany(trx, ['e1', 'e2', 'e3'].map((id, i) => ({
    id, type: i === 1 ? 'media.removed' : 'media.added', payload: { n: i }, occurredAt: new Date(i).toISOString(), receivedAt: i, source: null, causationId: null, depth: 0,
  }))));
  // Never called here: the recheck at a reload is tested on the daemon (test/e2e/reload.test.ts).
  const router = createStreamRouter({ hub, events, catalogTypes: defaultCatalog().list().map((e) => e.name), config, authenticate: (_ctx, next) => next() });
  api = await serveRouters({ db: t.db, log: createTestLogger().log, routers: [router] });
});
after(async () => {
  for (const s of open) s.close();
  hub.stop();
  await api.close();
  await t.close();
});

async function stream(path: string, options: { token?: string | null; headers?: Record<string, string> } = {}): Promise<StreamReader> {
  const s = await openStream(api.url, path, { token: UNIT_ADMIN, ...options });
  open.push(s);
  return s;
}

describe('stream router', () => {
  test('HEAD answers the stream\'s headers and opens no stream', async () => {
    const r = await api.call('HEAD', '/stream', undefined, UNIT_PRODUCER);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(r.headers.get('cache-control'), 'no-cache, no-transform');
    assert.equal(hub.stats().opened, 0);
  });

  test('a live message reaches a stream whose ?types= match it, and only those', async () => {
    const added = await stream('/stream?types=media.added', { token: UNIT_PRODUCER });
    const all = await stream('/stream');
    assert.equal(added.status, 200);
    bus.emit('message', { channel: 'event', type: 'media.removed', id: 'live-0', data: { n: 0 }, at: new Date().toISOString() });
    bus.emit('message', { channel: 'event', type: 'media.added', id: 'live-1', data: { n: 1 }, at: new Date().toISOString() });
    const got = await added.waitFor((e) => e.lastEventId === 'live-1');
    assert.deepEqual(got.json.payload, { n: 1 });
    assert.deepEqual(added.parser.events.map((e) => e.lastEventId), ['live-1']);
    await all.waitFor((e) => e.lastEventId === 'live-1');
    assert.deepEqual(all.parser.events.map((e) => e.lastEventId), ['live-0', 'live-1']);
    added.close();
    all.close();
  });

  test('a known Last-Event-ID replays the stored events after it, filtered', async () => {
    const s = await stream('/stream?types=media.added', { headers: { 'last-event-id': 'e1' } });
    await s.waitFor((e) => e.lastEventId === 'e3');
    assert.deepEqual(s.parser.events.map((e) => [e.event, e.lastEventId]), [['media.added', 'e3']]);
    s.close();
  });

  const gaps: Array<[string, Record<string, string>, string, string]> = [
    ['an unknown Last-Event-ID', { 'last-event-id': 'nope' }, '', 'nope'],
    ['an unknown ?lastEventId=', {}, '?lastEventId=nope2', 'nope2'],
    ['an overlong Last-Event-ID (shown cut to 200 characters)', { 'last-event-id': 'x'.repeat(5000) }, '', 'x'.repeat(200)],
  ];
  for (const [what, headers, query, shown] of gaps) {
    test(`${what} is a "gap" event, then the stream goes on live`, async () => {
      const s = await stream(`/stream${query}`, { headers });
      assert.equal(s.status, 200);
      const gap = await s.waitFor((e) => e.event === 'gap');
      assert.equal(gap.json.reason, 'unknown-last-event-id');
      assert.equal(gap.json.lastEventId, shown);
      bus.emit('message', { channel: 'progress', type: 'download.progress', key: 'k', data: { pct: 1 }, at: new Date().toISOString() });
      await s.waitFor((e) => e.event === 'download.progress');
      s.close();
    });
  }

  const refusals: Array<[string, string, string | null, number, string]> = [
    ['no token', '/stream', null, 401, 'UNAUTHORIZED'],
    ['a malformed ?types= pattern', '/stream?types=Media..x', UNIT_ADMIN, 400, 'VALIDATION'],
  ];
  for (const [what, path, token, status, code] of refusals) {
    test(`${what} is ${status} ${code} before any stream opens`, async () => {
      const r = await api.call('GET', path, undefined, token);
      assert.equal(r.status, status, r.text);
      assert.equal(r.body.error.code, code);
    });
  }

  test('a token past its share of streams is 429 with Retry-After; other tokens still open', async () => {
    for (const s of open) s.close();
    await waitFor(async () => hub.stats().clients === 0, 'the earlier streams to be forgotten');
    const held = [await stream('/stream', { token: UNIT_PRODUCER }), await stream('/stream', { token: UNIT_PRODUCER })];
    assert.deepEqual(held.map((s) => s.status), [200, 200]);
    const third = await api.call('GET', '/stream', undefined, UNIT_PRODUCER);
    assert.equal(third.status, 429, third.text);
    assert.equal(third.body.error.code, 'TOO_MANY_STREAMS_FOR_TOKEN');
    assert.ok(Number(third.headers.get('retry-after')) >= 1);
    const other = await stream('/stream');
    assert.equal(other.status, 200);
    for (const s of [...held, other]) s.close();
  });
});
