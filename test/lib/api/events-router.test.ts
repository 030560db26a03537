// The events router in the daemon's Koa app with the real event service and events table on
// temp SQLite; dispatch is a port whose filter chain sets `year` (what the chain does is
// test/lib/dispatch's). One behaviour per test: validation pointers for single and batch items,
// ?wait=true and sync types, duplicates, NOT_FOUND, pagination, the token, the metrics port.
// The whole list of bad single bodies is test/e2e/events-api.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEventsRouter } from '../../../lib/api/events-router.ts';
import { createBus } from '../../../lib/bus.ts';
import { createEventsStore } from '../../../lib/db/events-store.ts';
import { createEventService, type EventService } from '../../../lib/events/index.ts';
import { serveRouters, UNIT_PRODUCER, type ServedRouters } from '../../helpers/serve-routers.ts';
import { createTestLogger, defaultCatalog, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';

let t: TestDb;
let api: ServedRouters;
let service: EventService;
const counted: string[] = [];

before(async () => {
  t = await openTestDb();
  const { log } = createTestLogger();
  const catalog = defaultCatalog();
  const events = createEventsStore(t.db);
  service = createEventService({
    db: t.db,
    store: events,
    catalog,
    bus: createBus(),
    log,
    outbox: { enqueueDeliveries: async () => {}, subscribes: async () => false },
    dispatch: {
      hasActionHooks: () => false,
      hasFilterHooks: (type) => type === 'media.added',
      runFilterChain: async (event) => ({ output: { payload: { ...(event.payload as object), year: 2021 }, changed: true, results: [] }, also: async () => {}, emits: [] }),
      submit: () => {},
    },
    progress: { publish: () => {}, maxBytes: 1024 },
    emits: { maxDepth: 2, payloadLimits: { maxDepth: 16, maxBytes: 10_000 } },
  });
  const router = createEventsRouter({
    service,
    events,
    log,
    catalogTypes: catalog.list().map((e) => e.name),
    bodyLimit: 100_000,
    maxDepth: 32,
    maxBatch: 3,
    pageSize: 50,
    metrics: { received: (type) => void counted.push(`ok ${String(type)}`), rejected: (type, code) => void counted.push(`${code} ${String(type)}`) },
    isSync: (type) => type === 'media.imported',
    describeEvent: async () => ({ invocations: [], deliveries: [] }),
  });
  api = await serveRouters({ db: t.db, log, routers: [router] });
});
after(async () => {
  await api.close();
  await service.close();
  await t.close();
});

const added = (title: string, over: Record<string, unknown> = {}) => ({ type: 'media.added', payload: { title }, ...over });

describe('events router', () => {
  test('a batch answers per item: good ones stored, bad ones named by their index and pointer', async () => {
    const r = await api.call('POST', '/events', [added('A'), { type: 'media.added', payload: { title: 7 } }, { payload: {} }], UNIT_PRODUCER);
    // Pointers are into the whole batch: /<index>/...
    assert.equal(r.status, 207, r.text);
    assert.deepEqual([r.body.accepted, r.body.rejected], [1, 2]);
    const [ok, schema, missing] = r.body.results;
    assert.deepEqual([ok.index, ok.status, ok.state], [0, 202, 'done'], 'no action hook wants it');
    assert.deepEqual([schema.status, schema.code, schema.details.problems[0].pointer], [422, 'SCHEMA_VIOLATION', '/1/payload/title']);
    assert.deepEqual([missing.status, missing.code, missing.details.pointer], [400, 'VALIDATION', '/2/type']);
  });

  const refused: Array<[string, string, unknown, number, RegExp]> = [
    ['?wait=true with a batch', '/events?wait=true', [added('A')], 400, /single event/],
    ['an empty batch', '/events', [], 400, /batch is empty/],
    ['a batch over events.maxBatch', '/events', [added('a'), added('b'), added('c'), added('d')], 400, /4 items; the limit is 3 \(config events\.maxBatch\)/],
    ['?wait= that is not a boolean', '/events?wait=maybe', added('A'), 400, /wait/],
  ];
  for (const [what, path, body, status, said] of refused) {
    test(`${what} is ${status}`, async () => {
      const r = await api.call('POST', path, body);
      assert.equal(r.status, status, r.text);
      assert.match(r.body.error.message, said);
    });
  }

  test('?wait=true answers 200 with the filter chain\'s final payload; a plain POST 202', async () => {
    const waited = await api.call('POST', '/events?wait=true', added('Dune'));
    assert.equal(waited.status, 200, waited.text);
    assert.deepEqual(waited.body.payload, { title: 'Dune', year: 2021 });
    assert.equal(waited.body.changed, true);
    const plain = await api.call('POST', '/events', added('Dune'));
    assert.equal(plain.status, 202, plain.text);
    const stored = await api.call('GET', `/events/${plain.body.id}`);
    assert.deepEqual(stored.body.payload, { title: 'Dune' });
    assert.equal(stored.body.finalPayload, undefined, 'no chain ran before answering');
    const waitedStored = await api.call('GET', `/events/${waited.body.id}`);
    assert.deepEqual(waitedStored.body.finalPayload, { title: 'Dune', year: 2021 }, 'the waited one is stored with its final payload');
  });

  test('a sync type answers in the chain\'s shape without ?wait (no filter hook: unchanged)', async () => {
    const r = await api.call('POST', '/events', { type: 'media.imported', payload: { title: 'X' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.changed, r.body.results], [false, []]);
  });

  test('an id posted again is 200 with the stored event, and with ?wait=true says duplicate', async () => {
    const first = await api.call('POST', '/events', added('Once', { id: 'dup-1' }));
    assert.equal(first.status, 202, first.text);
    const again = await api.call('POST', '/events', added('Twice', { id: 'dup-1' }));
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body.payload, { title: 'Once' });
    const waited = await api.call('POST', '/events?wait=true', added('Thrice', { id: 'dup-1' }));
    assert.equal(waited.body.duplicate, true, waited.text);
  });

  test('an unknown id is 404 NOT_FOUND naming it', async () => {
    const r = await api.call('GET', '/events/nope');
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'NOT_FOUND');
    assert.match(r.body.error.message, /nope/);
  });

  test('GET /events pages newest first through nextCursor, filtered by type patterns', async () => {
    await api.call('POST', '/events', Array.from({ length: 3 }, (_, i) => ({ type: 'media.removed', payload: { title: `d${i}` } })));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.call('GET', `/events?type=media.rem*&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...page.body.items.map((e: { payload: { title: string } }) => e.payload.title));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, ['d2', 'd1', 'd0']);
  });

  const badQueries: Array<[string, string]> = [
    ['/events?cursor=bogus', 'cursor'],
    ['/events?since=yesterday', 'since'],
    ['/events?limit=0', 'limit'],
    ['/events?type=Media..x', 'type'],
  ];
  for (const [path, parameter] of badQueries) {
    test(`${path} is 400 naming ${parameter}`, async () => {
      const r = await api.call('GET', path);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error.details.parameter, parameter, r.text);
    });
  }

  test('no token is 401 on every route; the events scope may post and read', async () => {
    for (const [method, path] of [['POST', '/events'], ['GET', '/events'], ['GET', '/events/x']] as const) {
      assert.equal((await api.call(method, path, method === 'POST' ? added('A') : undefined, null)).status, 401, `${method} ${path}`);
    }
    assert.equal((await api.call('GET', '/events', undefined, UNIT_PRODUCER)).status, 200);
  });

  test('every posted item is counted, accepted or refused with its code', async () => {
    counted.length = 0;
    await api.call('POST', '/events', added('A'));
    await api.call('POST', '/events', { type: 'media.nothing', payload: {} });
    await api.call('POST', '/events', [added('B'), { type: 'media.added', payload: {} }]);
    assert.deepEqual(counted, ['ok media.added', 'UNKNOWN_EVENT_TYPE media.nothing', 'ok media.added', 'SCHEMA_VIOLATION media.added']);
  });
});
