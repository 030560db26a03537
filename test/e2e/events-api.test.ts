// POST /events and reading events back, against the real daemon on a loopback port.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUsersAjv } from '../../runtime/index.ts';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon({ config: { server: { bodyLimit: '4KiB' }, events: { maxBatch: 5 } } });
});
after(() => d.close());

const post = (body: unknown, opts = {}) => d.call('POST', '/events', body, { token: EVENTS_TOKEN, ...opts });

describe('POST /events', () => {
  test('a valid event is stored and answered 202 with its id', async () => {
    const r = await post({ type: 'media.added', payload: { title: 'Dune', year: 2021 } });
    assert.equal(r.status, 202);
    assert.equal(r.body.type, 'media.added');
    assert.match(r.body.id, /^[0-9a-f-]{36}$/);
    const back = await d.call('GET', `/events/${r.body.id}`);
    assert.equal(back.status, 200);
    assert.deepEqual(back.body.payload, { title: 'Dune', year: 2021 });
    assert.equal(back.body.source, 'test-producer');
  });

  test('the same client id again returns 200 with the stored event and creates nothing', async () => {
    const first = await post({ type: 'media.added', id: 'radarr-42', payload: { title: 'First' } });
    assert.equal(first.status, 202);
    const again = await post({ type: 'media.added', id: 'radarr-42', payload: { title: 'Second' } });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, 'radarr-42');
    assert.deepEqual(again.body.payload, { title: 'First' }, 'the stored event, not the new body');
    const list = await d.call('GET', '/events?type=media.added&limit=1000');
    assert.equal(list.body.items.filter((e: { id: string }) => e.id === 'radarr-42').length, 1);
  });

  test('occurredAt is kept, normalized to ISO', async () => {
    const r = await post({ type: 'health.issue', payload: { message: 'disk' }, occurredAt: '2026-01-02T03:04:05+01:00' });
    const back = await d.call('GET', `/events/${r.body.id}`);
    assert.equal(back.body.occurredAt, '2026-01-02T02:04:05.000Z');
  });

  test('a progress event is answered 202 and not stored', async () => {
    const r = await post({ type: 'download.progress', payload: { downloadId: 'x', pct: 43 } });
    assert.equal(r.status, 202);
    assert.equal(r.body.status, 'live');
    const list = await d.call('GET', '/events?type=download.progress');
    assert.deepEqual(list.body.items, []);
  });
});

describe('bad input gets a clear 4xx and stores nothing', () => {
  const cases: Array<{ name: string; raw?: string; body?: unknown; headers?: Record<string, string>; status: number; code: string; message: RegExp; pointer?: string }> = [
    { name: 'malformed JSON', raw: '{"type": "media.added",', status: 400, code: 'MALFORMED_JSON', message: /not valid JSON/ },
    { name: 'an empty body', raw: '', status: 400, code: 'VALIDATION', message: /empty/ },
    { name: 'a non-object body', body: 'hello', status: 400, code: 'VALIDATION', message: /JSON object/ },
    { name: 'a missing type', body: { payload: {} }, status: 400, code: 'VALIDATION', message: /"type" is required/, pointer: '/type' },
    { name: 'an unknown field', body: { type: 'media.added', payload: { title: 'x' }, tpye: 1 }, status: 400, code: 'VALIDATION', message: /unknown field "tpye"/, pointer: '/tpye' },
    { name: 'an unknown event type', body: { type: 'media.exploded', payload: {} }, status: 422, code: 'UNKNOWN_EVENT_TYPE', message: /"media\.exploded"/, pointer: '/type' },
    { name: "one of hookd's own types", body: { type: 'hook.executed', payload: {} }, status: 422, code: 'UNPROCESSABLE', message: /hookd's own/ },
    { name: 'a schema violation', body: { type: 'media.added', payload: { title: 'x', year: 'soon' } }, status: 422, code: 'SCHEMA_VIOLATION', message: /\/payload\/year must be integer/ },
    { name: 'a missing required payload field', body: { type: 'media.added', payload: {} }, status: 422, code: 'SCHEMA_VIOLATION', message: /\/payload\/title is required/ },
    { name: 'a bad occurredAt', body: { type: 'media.added', payload: { title: 'x' }, occurredAt: 'yesterday' }, status: 400, code: 'VALIDATION', message: /ISO 8601/ },
    { name: 'a bad id', body: { type: 'media.added', payload: { title: 'x' }, id: 'has spaces' }, status: 400, code: 'VALIDATION', message: /"id"/ },
    { name: 'an oversized body', raw: JSON.stringify({ type: 'media.added', payload: { title: 'x'.repeat(5000) } }), status: 413, code: 'PAYLOAD_TOO_LARGE', message: /limit of 4096 bytes/ },
    { name: 'an unsupported content type', raw: '<xml/>', headers: { 'content-type': 'application/xml' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /application\/xml/ },
    { name: 'a batch over the limit', body: Array.from({ length: 6 }, () => ({ type: 'media.added', payload: { title: 'x' } })), status: 400, code: 'VALIDATION', message: /limit is 5/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const before = await d.call('GET', '/events?limit=1000');
      const r = await post(c.body, { raw: c.raw, headers: c.headers });
      assert.equal(r.status, c.status, r.text);
      assert.equal(r.body.error.code, c.code);
      assert.match(r.body.error.message, c.message);
      if (c.pointer) assert.equal(r.body.error.details.pointer, c.pointer);
      const afterList = await d.call('GET', '/events?limit=1000');
      assert.equal(afterList.body.items.length, before.body.items.length, 'nothing stored');
    });
  }

  test('schema violations carry the JSON pointer of the failing field', async () => {
    const r = await post({ type: 'media.added', payload: { title: 'x', genres: ['a', 7] } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.error.details.problems, [{ pointer: '/payload/genres/1', message: 'must be string' }]);
  });

  test('no client input causes a 500', async () => {
    const bodies = ['null', '[]', '[null]', '{"type":null}', '{"type":{}}', '{"type":"media.added","payload":null}', '"\\ud800"', '1e999', '{"__proto__":{"x":1}}', '\u0000', '{"type":"media.added","payload":{"title":"\\u0000"}}'];
    for (const raw of bodies) {
      const r = await post(undefined, { raw });
      assert.ok(r.status >= 200 && r.status < 500, `${raw} gave ${r.status}: ${r.text}`);
    }
    for (const path of ['/events/%E0%A4%A', '/events?limit=abc', '/events?cursor=zzz', '/events?since=nope']) {
      const r = await d.call('GET', path);
      assert.ok(r.status < 500, `${path} gave ${r.status}`);
    }
  });
});

describe('batches', () => {
  test('a JSON array is answered per item; bad items do not stop good ones', async () => {
    const r = await post([
      { type: 'media.added', payload: { title: 'A' }, id: 'batch-a' },
      { type: 'nope', payload: {} },
      { type: 'download.progress', payload: { pct: 1 } },
      { type: 'media.added', payload: { title: 'A' }, id: 'batch-a' },
    ]);
    assert.equal(r.status, 207);
    assert.deepEqual(
      r.body.results.map((x: { status: number }) => x.status),
      [202, 422, 202, 200],
    );
    assert.equal(r.body.results[1].code, 'UNKNOWN_EVENT_TYPE');
    assert.equal(r.body.accepted, 3);
    assert.equal(r.body.rejected, 1);
    assert.equal((await d.call('GET', '/events/batch-a')).status, 200);
  });

  test('NDJSON lines are answered per line, malformed lines named by number', async () => {
    const raw = [
      JSON.stringify({ type: 'download.completed', payload: { title: 'B' }, id: 'nd-1' }),
      '{oops',
      JSON.stringify({ type: 'download.completed', payload: { title: 'C' }, id: 'nd-2' }),
    ].join('\n');
    const r = await post(undefined, { raw, headers: { 'content-type': 'application/x-ndjson' } });
    assert.equal(r.status, 207);
    assert.equal(r.body.results[1].status, 400);
    assert.match(r.body.results[1].message, /line 2/);
    assert.equal((await d.call('GET', '/events/nd-1')).status, 200);
    assert.equal((await d.call('GET', '/events/nd-2')).status, 200);
  });
});

describe('GET /events', () => {
  test('pages with a cursor, newest first, filtered by type', async () => {
    for (let i = 0; i < 5; i++) await post({ type: 'search.completed', payload: { query: `q${i}` }, id: `page-${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/events?type=search.completed&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const r = await d.call('GET', path);
      assert.equal(r.status, 200);
      seen.push(...r.body.items.map((e: { id: string }) => e.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
  });

  test('since excludes older events', async () => {
    const r = await d.call('GET', `/events?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    assert.deepEqual(r.body.items, []);
  });

  test('an unknown id is 404 with a message', async () => {
    const r = await d.call('GET', '/events/does-not-exist');
    assert.equal(r.status, 404);
    assert.match(r.body.error.message, /event "does-not-exist" not found/);
  });
});

test('GET /catalog lists the default media catalog with kinds', async () => {
  const r = await d.call('GET', '/catalog', undefined, { token: EVENTS_TOKEN });
  assert.equal(r.status, 200);
  const byName = new Map(r.body.types.map((t: { name: string }) => [t.name, t]));
  for (const name of ['media.added', 'media.updated', 'media.removed', 'media.imported', 'download.grabbed', 'download.completed', 'download.failed', 'search.completed', 'library.scan.completed', 'health.issue', 'config.updated']) {
    assert.equal((byName.get(name) as { kind: string } | undefined)?.kind, 'business', name);
  }
  for (const name of ['download.progress', 'scan.progress', 'job.progress']) {
    assert.equal((byName.get(name) as { kind: string } | undefined)?.kind, 'progress', name);
  }
  for (const name of ['hook.executed', 'webhook.disabled', 'delivery.failed']) {
    assert.equal((byName.get(name) as { meta: boolean } | undefined)?.meta, true, name);
  }
});

test("GET /catalog gives every default type (the *arr apps' included) a sample its schema accepts, and such a sample posts", async () => {
  const r = await d.call('GET', '/catalog', undefined, { token: EVENTS_TOKEN });
  assert.equal(r.status, 200);
  const types = r.body.types as Array<{ name: string; kind: string; meta: boolean; schema?: object | boolean; sample?: unknown; sampleFrom?: string }>;
  assert.ok(types.some((t) => t.name === 'radarr.grab') && types.some((t) => t.name === 'sonarr.download'), 'the apps\' types are listed');
  // Checked here by an ajv of the test's own, as a client would check it.
  const ajv = createUsersAjv();
  for (const t of types) {
    assert.ok('sample' in t, `${t.name} has a sample`);
    if (t.schema === undefined) continue;
    const validate = ajv.compile(t.schema as object);
    assert.ok(validate(t.sample), `${t.name}: ${JSON.stringify(t.sample)} ${ajv.errorsText(validate.errors)}`);
  }
  const byName = new Map(types.map((t) => [t.name, t]));
  assert.equal(byName.get('media.added')!.sampleFrom, 'example', "config/hookd.yaml's example");
  assert.equal((byName.get('media.added')!.sample as { title: string }).title, 'The Matrix');
  assert.equal(byName.get('radarr.grab')!.sampleFrom, 'generated');
  for (const name of ['media.added', 'radarr.grab', 'sonarr.download', 'download.progress']) {
    const posted = await d.call('POST', '/events', { type: name, payload: byName.get(name)!.sample }, { token: EVENTS_TOKEN });
    assert.ok(posted.status === 202 || posted.status === 200, `${name}: ${posted.status} ${posted.text}`);
  }
});
