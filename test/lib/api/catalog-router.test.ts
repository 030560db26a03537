// GET /catalog in the daemon's Koa app: every type of the catalog it is given, sorted, with its
// kind, schema, sync and meta flags; readable with the events scope, not without a token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCatalogRouter } from '../../../lib/api/catalog-router.ts';
import { createCatalog } from '../../../lib/catalog.ts';
import { serveRouters, UNIT_PRODUCER, type ServedRouters } from '../../helpers/serve-routers.ts';
import { createTestLogger, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';

let t: TestDb;
let api: ServedRouters;
const SCHEMA = { type: 'object', required: ['title'], properties: { title: { type: 'string' } } };

before(async () => {
  t = await openTestDb();
  const catalog = createCatalog({
    'media.added': { kind: 'business', schema: SCHEMA, description: 'a film was added' },
    'download.progress': { kind: 'progress' },
    'hook.executed': { kind: 'business', meta: true },
    'custom.sync': { kind: 'business', sync: true },
  });
  api = await serveRouters({ db: t.db, log: createTestLogger().log, routers: [createCatalogRouter({ catalog })] });
});
after(async () => {
  await api.close();
  await t.close();
});

describe('catalog router', () => {
  test('lists every type sorted by name, with its kind, schema and flags', async () => {
    const r = await api.call('GET', '/catalog', undefined, UNIT_PRODUCER);
    assert.equal(r.status, 200, r.text);
    const byName = Object.fromEntries(r.body.types.map((e: { name: string }) => [e.name, e]));
    assert.deepEqual(r.body.types.map((e: { name: string }) => e.name), ['custom.sync', 'download.progress', 'hook.executed', 'media.added']);
    assert.deepEqual(byName['media.added'], { name: 'media.added', kind: 'business', description: 'a film was added', schema: SCHEMA, sync: false, meta: false });
    assert.equal(byName['download.progress'].kind, 'progress');
    assert.equal(byName['hook.executed'].meta, true);
    assert.equal(byName['custom.sync'].sync, true);
  });

  test('no token is 401', async () => {
    const r = await api.call('GET', '/catalog', undefined, null);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'UNAUTHORIZED');
  });
});
