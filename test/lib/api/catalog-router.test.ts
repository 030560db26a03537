// GET /catalog in the daemon's Koa app: every type of the catalog it is given, sorted, with its
// kind, schema, sync and meta flags and a sample payload its schema accepts (the schema's first
// valid example, else built from the schema, else none); readable with the events scope, not
// without a token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCatalogRouter } from '../../../lib/api/catalog-router.ts';
import { createCatalog } from '../../../lib/catalog.ts';
import { serveRouters, UNIT_PRODUCER, type ServedRouters } from '../../helpers/serve-routers.ts';
import { createTestLogger, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';

let t: TestDb;
let api: ServedRouters;
const SCHEMA = { type: 'object', required: ['title'], properties: { title: { type: 'string' } } };
// Each keyword the builder meets: required (optional left out), nullable types, enums, const,
// formats, bounds, minItems, nested objects, a local $ref, allOf and anyOf.
const BUILT = {
  type: 'object',
  required: ['title', 'kind', 'at', 'url', 'count', 'ratio', 'tags', 'owner', 'ref', 'both', 'either', 'fixed'],
  definitions: { id: { type: 'integer', minimum: 10 } },
  properties: {
    title: { type: ['string', 'null'], minLength: 8 },
    kind: { enum: ['movie', 'series'] },
    at: { type: 'string', format: 'date-time' },
    url: { type: 'string', format: 'uri' },
    count: { type: 'integer', minimum: 3, maximum: 9 },
    ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1, multipleOf: 0.25 },
    tags: { type: 'array', minItems: 2, items: { type: 'string', enum: ['a', 'b'] } },
    owner: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } } },
    ref: { $ref: '#/definitions/id' },
    both: { allOf: [{ type: 'object', required: ['x'], properties: { x: { type: 'boolean' } } }, { required: ['y'], properties: { y: { const: 'why' } } }] },
    either: { anyOf: [{ type: 'integer', minimum: 5 }, { type: 'string' }] },
    fixed: { const: 1 },
    optional: { type: 'string' },
  },
  additionalProperties: false,
};

before(async () => {
  t = await openTestDb();
  const catalog = createCatalog({
    'media.added': { kind: 'business', schema: SCHEMA, description: 'a film was added' },
    'download.progress': { kind: 'progress' },
    'hook.executed': { kind: 'business', meta: true },
    'custom.sync': { kind: 'business', sync: true },
    'with.examples': { kind: 'business', schema: { ...SCHEMA, examples: [{ title: 42 }, { title: 'Dune' }, { title: 'second' }] } },
    'bad.examples': { kind: 'business', schema: { ...SCHEMA, examples: [{ nope: true }] } },
    'built.sample': { kind: 'business', schema: BUILT },
    'no.payload': { kind: 'business', schema: false },
    'unbuildable': { kind: 'business', schema: { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[A-Z]{3}$' } } } },
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
    assert.deepEqual(r.body.types.map((e: { name: string }) => e.name), ['bad.examples', 'built.sample', 'custom.sync', 'download.progress', 'hook.executed', 'media.added', 'no.payload', 'unbuildable', 'with.examples']);
    assert.deepEqual(byName['media.added'], { name: 'media.added', kind: 'business', description: 'a film was added', schema: SCHEMA, sync: false, meta: false, sample: { title: 'title' }, sampleFrom: 'generated' });
    assert.equal(byName['download.progress'].kind, 'progress');
    assert.equal(byName['hook.executed'].meta, true);
    assert.equal(byName['custom.sync'].sync, true);
  });

  test("a sample is the schema's first example that validates, else one built from the schema, else none", async () => {
    const r = await api.call('GET', '/catalog', undefined, UNIT_PRODUCER);
    const byName = Object.fromEntries(r.body.types.map((e: { name: string }) => [e.name, e]));
    assert.deepEqual([byName['with.examples'].sample, byName['with.examples'].sampleFrom], [{ title: 'Dune' }, 'example'], 'the invalid first example is passed over');
    assert.deepEqual([byName['bad.examples'].sample, byName['bad.examples'].sampleFrom], [{ title: 'title' }, 'generated']);
    assert.deepEqual(byName['built.sample'].sample, {
      title: 'titlexxx',
      kind: 'movie',
      at: '2025-01-01T12:00:00Z',
      url: 'https://example.org/',
      count: 3,
      ratio: 0.25,
      tags: ['a', 'a'],
      owner: { name: 'name' },
      ref: 10,
      both: { x: false, y: 'why' },
      either: 5,
      fixed: 1,
    });
    // Schemaless types take any payload; a false schema none; a pattern is beyond the builder: no sample, never a wrong one.
    assert.deepEqual(byName['custom.sync'].sample, {});
    assert.equal('sample' in byName['no.payload'], false);
    assert.equal('sample' in byName['unbuildable'], false);
    assert.equal('sampleFrom' in byName['unbuildable'], false);
  });

  test('no token is 401', async () => {
    const r = await api.call('GET', '/catalog', undefined, null);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'UNAUTHORIZED');
  });
});
