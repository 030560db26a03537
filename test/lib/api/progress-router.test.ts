// GET /progress and GET /stats with the real progress store (no coalescing window, so a
// publish is the latest value at once) and stream hub: latest per (type, key), filtered by
// types and key, malformed patterns named, counters, no caching, the events scope.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createProgressRouter } from '../../../lib/api/progress-router.ts';
import { createBus } from '../../../lib/bus.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import { createProgress, type Progress } from '../../../lib/progress/index.ts';
import { createStreamHub } from '../../../lib/progress/stream-hub.ts';
import { serveRouters, UNIT_PRODUCER, type ServedRouters } from '../../helpers/serve-routers.ts';
import { createTestLogger, defaultCatalog, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';

let t: TestDb;
let api: ServedRouters;
let progress: Progress;

before(async () => {
  t = await openTestDb();
  const config = loadConfig({ env: {} });
  const bus = createBus();
  progress = createProgress({ bus, config: { ...config.progress, coalesceWindowMs: 0 }, maxDepth: 32 });
  const hub = createStreamHub({ bus, config: config.stream });
  const router = createProgressRouter({ progress, hub, catalogTypes: defaultCatalog().list().map((e) => e.name) });
  api = await serveRouters({ db: t.db, log: createTestLogger().log, routers: [router] });
  progress.publish({ type: 'download.progress', payload: { downloadId: 'a', pct: 10 } });
  progress.publish({ type: 'download.progress', payload: { downloadId: 'a', pct: 50 } });
  progress.publish({ type: 'download.progress', payload: { downloadId: 'b', pct: 5 } });
});
after(async () => {
  progress.stop();
  await api.close();
  await t.close();
});

const keysOf = (body: { items: Array<{ key: string; payload: { pct: number } }> }) => Object.fromEntries(body.items.map((i) => [i.key, i.payload.pct]));

describe('progress router', () => {
  const filters: Array<[string, string, Record<string, number>]> = [
    ['all', '/progress', { a: 50, b: 5 }],
    ['a type pattern', '/progress?types=download.*', { a: 50, b: 5 }],
    ['a type with no progress', '/progress?types=media.added', {}],
    ['a pattern no catalog type matches', '/progress?types=nothing.*', {}],
    ['one key', '/progress?key=b', { b: 5 }],
  ];
  for (const [what, path, latest] of filters) {
    test(`GET /progress, ${what}: the latest value per key`, async () => {
      const r = await api.call('GET', path, undefined, UNIT_PRODUCER);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(keysOf(r.body), latest);
      assert.equal(r.headers.get('cache-control'), 'no-store');
    });
  }

  test('a malformed pattern is 400 naming the parameter', async () => {
    const r = await api.call('GET', '/progress?types=Download..x');
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.details.parameter, 'types');
    assert.match(r.body.error.message, /is malformed/);
  });

  test('GET /stats counts what progress received', async () => {
    const r = await api.call('GET', '/stats', undefined, UNIT_PRODUCER);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.progress.received, 3);
    assert.equal(r.body.stream.clients, 0);
  });

  test('no token is 401 on both', async () => {
    for (const path of ['/progress', '/stats']) assert.equal((await api.call('GET', path, undefined, null)).status, 401, path);
  });
});
