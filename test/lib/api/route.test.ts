// The route table: a declaration becomes middleware that checks the scope and reads path and
// query parameters and the body by the declared schemas, each failure a 4xx naming what is
// wrong, and hands the handler the values. Served by a real Koa app on a loopback port.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Koa from 'koa';
import pino from 'pino';
import { createErrorMiddleware } from '../../../lib/api/error-middleware.ts';
import { createRouteTable, defineRoute } from '../../../lib/api/route.ts';

const ITEM = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 8 },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

const ROUTE = defineRoute({
  operationId: 'putThing',
  method: 'POST',
  path: '/things/:id',
  tag: 'things',
  summary: 'a test route',
  auth: { scope: 'events' },
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 5 } } },
  query: {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 10 },
      mode: { type: 'string', enum: ['a', 'b'] },
      wait: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string' } },
      note: { type: 'string', maxLength: 4 },
    },
  },
  body: { schema: ITEM, read: 'object', name: 'thing', expects: 'the thing', unprocessable: ['/headers'] },
  responses: { 200: { description: 'ok' } },
});

const OPTIONAL = defineRoute({
  operationId: 'maybeThing',
  method: 'POST',
  path: '/maybe',
  tag: 'things',
  summary: 'an optional body',
  auth: 'none',
  body: { schema: ITEM, read: 'optional', name: 'thing', expects: 'the thing' },
  responses: { 200: { description: 'ok' } },
});

let server: Server;
let url: string;
let seen: unknown;

before(async () => {
  const app = new Koa();
  app.use(createErrorMiddleware({ log: pino({ level: 'silent' }) }));
  app.use(async (ctx, next) => {
    ctx.state.principal = { name: 't', scopes: [ctx.get('x-scope') || 'events'] };
    await next();
  });
  const routes = createRouteTable({ bodyLimit: 1024, maxDepth: 4 });
  routes.add(ROUTE, (ctx, input) => {
    seen = input;
    // Typed by the declaration: these would not compile if the schemas said otherwise.
    const name: string = input.body.name;
    const limit: number | undefined = input.query.limit;
    ctx.body = { name, limit, id: input.params.id };
  });
  routes.add(OPTIONAL, (ctx, input) => {
    ctx.body = { given: input.body !== undefined };
  });
  app.use(routes.router.routes());
  server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

async function send(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('a declared route', () => {
  test('hands the handler the parameters and body its schemas describe', async () => {
    const r = await send('/things/ab?limit=3&mode=b&wait&tags=x&tags=y&other=ignored', { name: 'n' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(seen, { params: { id: 'ab' }, query: { limit: 3, mode: 'b', wait: true, tags: ['x', 'y'] }, headers: {}, body: { name: 'n' } });
  });

  test('leaves absent query parameters out', async () => {
    await send('/things/ab', { name: 'n' });
    assert.deepEqual((seen as { query: unknown }).query, {});
  });

  const badQueries: Array<[string, string, RegExp]> = [
    ['limit=0', 'limit', /integer from 1 to 10, not "0"/],
    ['limit=abc', 'limit', /integer from 1 to 10/],
    ['limit=1&limit=2', 'limit', /given 2 times/],
    ['mode=c', 'mode', /one of a, b/],
    ['wait=maybe', 'wait', /true or false/],
    ['note=toolong', 'note', /7 characters long; the limit is 4/],
  ];
  for (const [query, parameter, message] of badQueries) {
    test(`?${query} is a 400 naming the parameter`, async () => {
      const r = await send(`/things/ab?${query}`, { name: 'n' });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'VALIDATION');
      assert.equal(r.body.error.details.parameter, parameter);
      assert.match(r.body.error.message, message);
    });
  }

  test('a path parameter over its maxLength is a 400 naming it', async () => {
    const r = await send('/things/abcdef', { name: 'n' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.details.parameter, 'id');
    assert.match(r.body.error.message, /path parameter "id" is 6 characters long; the limit is 5/);
  });

  test('a body that does not fit the schema is a 400 with the pointer of each problem', async () => {
    const r = await send('/things/ab', { name: 'much too long', extra: 1 });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'VALIDATION');
    assert.match(r.body.error.message, /^invalid thing: /);
    const pointers = r.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort();
    assert.deepEqual(pointers, ['/extra', '/name']);
    assert.ok(pointers.includes(r.body.error.details.pointer));
  });

  test('a missing required field is named by its pointer', async () => {
    const r = await send('/things/ab', {});
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.error.details, { pointer: '/name', problems: [{ pointer: '/name', message: 'is required' }] });
  });

  test('a problem under a field declared unprocessable is a 422', async () => {
    const r = await send('/things/ab', { name: 'n', headers: { 'X-A': 5 } });
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'UNPROCESSABLE');
    assert.equal(r.body.error.details.pointer, '/headers/X-A');
  });

  test('a body that is not an object says what it should be', async () => {
    const r = await send('/things/ab', '[1]');
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /must be a JSON object \(the thing\), not an array/);
  });

  test('the body reader keeps its bounds: size and depth', async () => {
    assert.equal((await send('/things/ab', { name: 'x'.repeat(2000) })).status, 413);
    const deep = await send('/things/ab', { name: 'n', headers: { a: { b: { c: { d: 1 } } } } });
    assert.equal(deep.status, 422);
    assert.equal(deep.body.error.code, 'JSON_TOO_DEEP');
  });

  test('a token without the scope is a 403 before anything is read', async () => {
    const r = await send('/things/abcdefgh?limit=0', 'not json', { 'x-scope': 'other' });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'FORBIDDEN');
  });

  test('an optional body may be left out, and is checked when given', async () => {
    assert.deepEqual((await send('/maybe', '')).body, { given: false });
    assert.deepEqual((await send('/maybe', { name: 'n' })).body, { given: true });
    assert.equal((await send('/maybe', { nope: 1 })).status, 400);
  });
});
