// GET /openapi.json as a client reads it: without a token, the document built from the routes'
// declarations, valid OpenAPI 3.1; and the daemon serves exactly the routes it documents:
// every documented operation answers from its route, every other method or path is a 404.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildApiDocument } from '../../lib/api/routes.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { findOperation } from '../helpers/openapi-conformance.ts';

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon();
});
after(() => d.close());

const doc = buildApiDocument() as { paths: Record<string, Record<string, unknown>> };
const NO_ROUTE = /^no route for /;

/** A documented path with its parameters filled in. */
const concrete = (path: string) => path.replace(/\{\w+\}/g, 'some-id');

describe('GET /openapi.json', () => {
  test('answers the document without a token, readable from any origin', async () => {
    const r = await request(d.url, 'GET', '/openapi.json', undefined, { token: null });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^application\/json/);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(r.body, buildApiDocument());
    const result = await new Validator().validate(r.body);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
  });

  test('lists the routes with their parameters, bodies and answers', async () => {
    const { body } = await request(d.url, 'GET', '/openapi.json');
    const post = body.paths['/events'].post;
    assert.deepEqual(Object.keys(post.requestBody.content), ['application/json', 'application/x-ndjson']);
    assert.deepEqual(Object.keys(post.responses).filter((s) => s < '300'), ['200', '202', '207']);
    assert.equal(body.paths['/hooks/{id}/invocations'].get.parameters.map((p: { name: string }) => p.name).join(), 'id,limit,before');
    assert.equal(body.components.schemas.EventInput.properties.payload.description.includes('GET /catalog'), true);
  });
});

describe('the daemon serves what the document lists, and nothing else', () => {
  test('every documented operation is answered by its route', async () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        // A stream that opens would not end: a malformed ?types= is refused by the route itself.
        const target = path === '/stream' ? '/stream?types=NOT!A!PATTERN' : concrete(path);
        const r = await d.call(method, target, method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : {});
        const what = `${method} ${target} -> ${r.status} ${r.text.slice(0, 200)}`;
        assert.ok(!(r.status === 404 && NO_ROUTE.test(r.body?.error?.message ?? '')), what);
        if (method === 'HEAD') assert.equal(r.text, '', what);
      }
    }
  });

  test('every other method on a documented path is a 404 naming the route', async () => {
    for (const path of Object.keys(doc.paths).map(concrete)) {
      // Another documented path may serve it (GET /hooks/test is GET /hooks/{id}).
      const documented = (m: string) => findOperation(m, path) ?? (m === 'HEAD' ? findOperation('GET', path) : undefined);
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => !documented(m))) {
        const r = await d.call(method, path, method === 'POST' || method === 'PUT' || method === 'PATCH' ? {} : undefined);
        assert.equal(r.status, 404, `${method} ${path}`);
        if (method !== 'HEAD') assert.match(r.body.error.message, NO_ROUTE, `${method} ${path}`);
      }
    }
  });

  test('a path the daemon answers is one the document lists; the others are 404s', async () => {
    // Paths a route might be added at: one added without its declaration fails here. (/ui/ is
    // the dashboard's static files, not the API: test/lib/api/ui-router.test.ts.)
    const candidates = ['/', '/readyz', '/metrics', '/openapi', '/openapi.yaml', '/docs', '/api', '/version', '/events/x/y', '/hooks/x/y', '/catalog/x', '/stats/x', '/webhooks/x/deliveries/y', '/deliveries', '/healthz/x'];
    for (const path of candidates) {
      const r = await d.call('GET', path);
      if (findOperation('GET', path)) continue;
      assert.equal(r.status, 404, `GET ${path} answers ${r.status} but is not in the document: declare it (lib/api/routes.ts)`);
      assert.match(r.body.error.message, NO_ROUTE, path);
    }
  });
});
