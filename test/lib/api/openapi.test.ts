// The OpenAPI document built from the routes' declarations: a valid OpenAPI 3.1 document (a
// real validator), every schema in it sound JSON Schema 2020-12 (ajv, strict), every declared
// route in it once with the error answers its declaration implies; and the conformance check
// the e2e helpers run on every answer tells a matching answer from each kind of mismatch.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { ERROR_DOCS } from '../../../lib/api/openapi.ts';
import { API_ROUTES, buildApiDocument } from '../../../lib/api/routes.ts';
import { checkAnswer } from '../../helpers/openapi-conformance.ts';

const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (ajv: Ajv2020) => Ajv2020;
const doc = buildApiDocument() as any;
const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
    assert.equal(doc.info.version, version);
    assert.deepEqual(doc.servers, [{ url: '/', description: 'The daemon that serves this document.' }]);
  });

  test('every schema in it compiles as strict JSON Schema 2020-12', () => {
    const ajv = addFormats(new Ajv2020({ strict: true, allowUnionTypes: true }));
    // The components become $defs of one schema, and every $ref points there.
    const local = (schema: unknown) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"doc#/$defs/'));
    ajv.addSchema({ $id: 'doc', $defs: local(doc.components.schemas) });
    const compile = (schema: unknown, where: string) => assert.doesNotThrow(() => ajv.compile(local(schema)), where);
    let count = 0;
    for (const [path, methods] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        for (const p of op.parameters ?? []) compile(p.schema, `${method} ${path} parameter ${p.name}`), count++;
        for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) compile(media.schema, `${method} ${path} body ${type}`), count++;
        for (const [status, r] of Object.entries<any>(op.responses)) {
          for (const [type, media] of Object.entries<any>(r.content ?? {})) compile(media.schema, `${method} ${path} ${status} ${type}`), count++;
        }
      }
    }
    assert.ok(count > 100, `only ${count} schemas found`);
  });

  test('holds every declared route once, and nothing else', () => {
    const documented = Object.entries<any>(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    const declared = API_ROUTES.flatMap((r) => {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      return [`${r.method} ${path}`, ...(r.head ? [`HEAD ${path}`] : [])];
    });
    assert.deepEqual([...documented].sort(), [...declared].sort());
    assert.equal(new Set(declared).size, declared.length, 'a route declared twice');
    const ids = API_ROUTES.map((r) => r.operationId);
    assert.equal(new Set(ids).size, ids.length, 'an operationId used twice');
  });

  test('each operation lists the errors its declaration implies', () => {
    for (const route of API_ROUTES) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')][route.method.toLowerCase()];
      const statuses = Object.keys(op.responses).map(Number);
      const at = `${route.method} ${route.path}`;
      assert.ok(statuses.includes(500), at);
      if (route.auth !== 'none') for (const s of [401, 403]) assert.ok(statuses.includes(s), `${at} ${s}`);
      if (route.auth === 'none') assert.deepEqual(op.security, [], at);
      if (route.body) for (const s of [400, 413, 415, 422]) assert.ok(statuses.includes(s), `${at} ${s}`);
      if (route.params) assert.ok(statuses.includes(400), at);
      for (const s of statuses.filter((x) => x >= 400 && !(x in route.responses))) {
        assert.equal(op.responses[s].content['application/json'].schema.$ref, '#/components/schemas/Error', `${at} ${s}`);
      }
    }
  });

  test('names the shared error body and the security schemes', () => {
    assert.deepEqual(doc.components.schemas.Error.required, ['error']);
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['accessToken', 'basic', 'bearer', 'session']);
    assert.deepEqual(doc.components.securitySchemes.session, { type: 'apiKey', in: 'cookie', name: 'hookd_session', description: doc.components.securitySchemes.session.description });
    assert.deepEqual(doc.paths['/stream'].get.security, [{ bearer: [] }, { session: [] }, { accessToken: [] }]);
    assert.deepEqual(doc.paths['/events'].post.security, [{ bearer: [] }, { session: [] }]);
    // The *arr apps' route is authenticated by its own router: Bearer or Basic, never the cookie.
    const basicOps = Object.values(doc.paths).flatMap((p: any) => Object.values(p)).filter((op: any) => op.security?.some((s: object) => 'basic' in s));
    assert.ok(basicOps.length > 0);
    assert.ok(basicOps.every((op: any) => !op.security.some((s: object) => 'session' in s)));
  });
});

describe('the conformance check of answers', () => {
  const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });
  const json = 'application/json; charset=utf-8';
  const answer = (method: string, target: string, status: number, body: unknown, extra: Record<string, string> = {}) => ({
    method,
    target,
    status,
    contentType: body === undefined ? null : json,
    headers: headers({ 'x-request-id': 'r', ...extra }),
    text: body === undefined ? '' : JSON.stringify(body),
  });
  const error = (code: string) => ({ error: { code, message: 'm', requestId: 'r' } });

  test('accepts documented answers', () => {
    checkAnswer(answer('POST', '/events', 202, { id: 'e', type: 'media.added', status: 'pending' }));
    checkAnswer(answer('GET', '/hooks/abc/invocations?limit=1', 200, { items: [], nextBefore: null }));
    checkAnswer(answer('POST', '/hooks/abc/test', 404, error('NOT_FOUND')));
    checkAnswer(answer('DELETE', '/hooks/abc', 204, undefined));
    checkAnswer(answer('HEAD', '/healthz', 200, undefined));
    checkAnswer(answer('HEAD', '/events', 200, undefined));
    checkAnswer(answer('GET', '/no/such/route', 404, error('NOT_FOUND')));
  });

  const mismatches: Array<[string, ReturnType<typeof answer>, RegExp]> = [
    ['a status the route does not list', answer('GET', '/catalog', 409, error('CONFLICT')), /GET \/catalog answered 409: the document lists only/],
    ['a body that does not fit', answer('POST', '/events', 202, { id: 'e', status: 'sent' }), /body does not match the schema: .*type/],
    ['a field the schema does not know', answer('GET', '/healthz', 200, { status: 'ok', uptime: 1 }), /must NOT have additional properties/],
    ['an error code not listed for that status', answer('GET', '/events/x', 404, error('CONFLICT')), /must be equal to one of the allowed values/],
    ['the wrong content type', { ...answer('GET', '/stats', 200, {}), contentType: 'text/plain' }, /Content-Type "text\/plain", documented application\/json/],
    ['an undocumented route that answers', answer('GET', '/secret/admin', 200, { ok: true }), /no such route/],
    ['a body where none is documented', answer('DELETE', '/webhooks/x', 204, { deleted: true }), /documents no body for 204/],
    ['no X-Request-Id', { ...answer('GET', '/healthz', 200, { status: 'ok' }), headers: headers({}) }, /no X-Request-Id/],
    ['a 401 without WWW-Authenticate', answer('GET', '/hooks', 401, error('UNAUTHORIZED')), /without WWW-Authenticate/],
  ];
  for (const [name, given, message] of mismatches) {
    test(`refuses ${name}, naming the route, status and reason`, () => {
      assert.throws(() => checkAnswer(given), message);
    });
  }
});

describe("the README's error table", () => {
  // A code the API can answer but the README never explains leaves a client guessing (three did).
  test('has a row for every code an answer can carry, with its status', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const rows = readme.split('\n').filter((line) => /^\| `[A-Z_]+`/.test(line));
    const wrong: string[] = [];
    for (const [code, { status }] of Object.entries(ERROR_DOCS)) {
      if (code === 'CONFIG') continue; // a start or reload failure, printed by the CLI, never an HTTP answer
      const row = rows.find((line) => line.split('|')[1]!.includes(`\`${code}\``));
      if (!row) wrong.push(`${code}: no row`);
      else if (!row.split('|')[2]!.includes(String(status))) wrong.push(`${code}: the row does not say ${status}`);
    }
    assert.deepEqual(wrong, []);
  });
});
