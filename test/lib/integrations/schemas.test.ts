// The catalog schemas of the apps' bodies: every fixture fits its type's schema; so does a
// body with fields added (newer versions), with every optional field left out (nulls are
// omitted) or sent as null; a body off its schema gets problems that point at the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCatalog } from '../../../lib/catalog.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import { findAppEvent } from '../../../lib/integrations/index.ts';
import { arrFixture, arrFixtures } from '../../fixtures/arr/index.ts';

const catalog = createCatalog(loadConfig({ env: {} }).catalog);
const typeOf = (app: Parameters<typeof findAppEvent>[0], body: { eventType: string }) => findAppEvent(app, body.eventType)!.type;

/** The body with every property its schema does not require removed, at every level. */
function bare(value: unknown, schema: any): unknown {
  if (Array.isArray(value)) return value.map((v) => bare(v, schema?.items));
  if (typeof value !== 'object' || value === null) return value;
  const required = new Set<string>([...(schema?.required ?? [])]);
  return Object.fromEntries(Object.entries(value).filter(([k]) => required.has(k)).map(([k, v]) => [k, bare(v, schema?.properties?.[k])]));
}

describe('app body schemas', () => {
  test('every fixture fits the schema of its type', () => {
    for (const f of arrFixtures()) assert.deepEqual(catalog.validate(typeOf(f.app, f.body as any), f.body), [], f.name);
  });

  test('fields a newer version adds pass, at the top and inside objects', () => {
    for (const f of arrFixtures()) {
      const body = JSON.parse(JSON.stringify(f.body));
      body.somethingNew = { nested: [1, 2] };
      for (const v of Object.values(body)) if (typeof v === 'object' && v !== null && !Array.isArray(v)) (v as any).alsoNew = 'x';
      assert.deepEqual(catalog.validate(typeOf(f.app, body), body), [], f.name);
    }
  });

  test('every field the app may leave out (a null) can be left out or sent as null', () => {
    for (const f of arrFixtures()) {
      const type = typeOf(f.app, f.body as any);
      const schema = catalog.get(type)!.schema as any;
      const required = new Set<string>(schema.required);
      // Whisparr's types both generations send take either shape: the body's is the one to strip to.
      const shape = schema.anyOf?.find((s: any) => s.properties && (s.required as string[]).every((k) => k in f.body)) ?? schema;
      const minimal = bare(f.body, shape) as Record<string, unknown>;
      // Sonarr's Download (so Whisparr v2's) needs one of its two shapes' file fields.
      if (f.body.eventType === 'Download' && f.body.series) minimal[f.body.episodeFiles ? 'episodeFiles' : 'episodeFile'] = f.body.episodeFiles ?? f.body.episodeFile;
      assert.deepEqual(catalog.validate(type, minimal), [], `${f.name} without its optional fields`);
      const nulls = Object.fromEntries(Object.entries(f.body).map(([k, v]) => [k, required.has(k) || typeof v !== 'string' ? v : null]));
      assert.deepEqual(catalog.validate(type, nulls), [], `${f.name} with its strings null`);
    }
  });

  test('a body off its schema has problems that point at the field', () => {
    const grab = arrFixture('radarr-grab').body;
    assert.deepEqual(catalog.validate('radarr.grab', { ...grab, movie: { ...grab.movie, year: '2021' } }).map((p) => p.pointer), ['/movie/year']);
    assert.deepEqual(catalog.validate('radarr.grab', { eventType: 'Grab' }).map((p) => p.pointer), ['/movie']);
    assert.deepEqual(catalog.validate('radarr.health', { eventType: 'Grab', level: 'warning', message: 'x' }).map((p) => p.pointer), ['/eventType']);
    const { episodeFile: _f, ...noFile } = arrFixture('sonarr-download').body;
    assert.ok(catalog.validate('sonarr.download', noFile).some((p) => p.pointer === '/episodeFile'), 'neither Download shape');
    const { movie: _m, ...noMovie } = arrFixture('whisparr-v3-grab').body;
    assert.ok(catalog.validate('whisparr.grab', noMovie).length > 0, "Whisparr's Grab with neither series nor movie");
    assert.deepEqual(catalog.validate('whisparr.grab', arrFixture('whisparr-v2-grab').body), [], 'v2 in the Sonarr shape');
    assert.deepEqual(catalog.validate('whisparr.grab', arrFixture('whisparr-v3-grab').body), [], 'v3 in the Radarr shape');
  });
});
