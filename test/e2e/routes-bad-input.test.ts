// Every route against bad input, as an attacker sends it: each body shape to each route that
// reads one, repeated / empty / huge / non-numeric query parameters, overlong and undecodable
// path ids, and requests Node's parser refuses. Each is a 4xx with a JSON error, never a 5xx.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, writeTestConfig, type TestDaemon } from '../helpers/daemon.ts';
import { rawRequest, type RawReply } from '../helpers/raw-http.ts';
import { assertErrorShape } from '../helpers/openapi-conformance.ts';
import { buildRequest, ROUTES, type RouteSpec } from '../helpers/routes.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const BODY_LIMIT = 64 * 1024;
const temp = makeTempDir();
let d: TestDaemon;
let receiver: WebhookReceiver;
const ids: Record<string, string> = {};

before(async () => {
  receiver = await startWebhookReceiver();
  writeTestConfig(temp.dir);
  mkdirSync(join(temp.dir, 'hooks', 'media.added'), { recursive: true });
  writeFileSync(join(temp.dir, 'hooks', 'media.added', '10-from-file.js'), 'export default () => {};\n');
  d = await startTestDaemon({ dir: temp.dir, config: { server: { bodyLimit: BODY_LIMIT }, hooks: { watch: false } } });
  const hooks = (await d.call('GET', '/hooks')).body.items as Array<{ id: string; origin: string }>;
  ids.fileHook = hooks.find((h) => h.origin === 'file')!.id;
  const apiHook = await d.call('POST', '/hooks', { name: 'api-hook', events: ['media.*'], mode: 'action', source: 'export default () => {}' });
  assert.equal(apiHook.status, 201, apiHook.text);
  ids.apiHook = apiHook.body.id;
  const webhook = await d.call('POST', '/webhooks', { url: receiver.url, events: ['media.added'] });
  assert.equal(webhook.status, 201, webhook.text);
  ids.webhook = webhook.body.id;
  const ping = await d.call('POST', `/webhooks/${ids.webhook}/test`);
  assert.equal(ping.status, 200, ping.text);
  ids.delivery = ping.body.deliveryId;
  const event = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'Known' }, id: 'known-event' });
  assert.equal(event.status, 202, event.text);
  ids.event = 'known-event';
});
after(async () => {
  await d.close();
  await receiver.close();
  temp.remove();
});

/** The real id a route's :id stands for in these tests. */
function idFor(route: RouteSpec): string {
  if (route.path.startsWith('/hooks')) return route.method === 'PATCH' ? ids.fileHook! : ids.apiHook!;
  if (route.path.startsWith('/webhooks')) return ids.webhook!;
  if (route.path.startsWith('/deliveries')) return ids.delivery!;
  return ids.event!;
}

async function send(method: string, target: string, options: { body?: string | Buffer; type?: string; token?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = options.type ?? 'application/json';
  return rawRequest(d.url, buildRequest(method, target, headers, options.body));
}

function assertClientError(reply: RawReply, what: string): { code: string; message: string; details?: any } {
  assert.ok(reply.status >= 400 && reply.status < 500, `${what}: expected a 4xx, got ${reply.status} ${reply.body.slice(0, 300)}`);
  assertErrorShape(reply.body, what);
  const error = (JSON.parse(reply.body) as { error: { code: string; message: string } }).error;
  assert.equal(typeof error.code, 'string', what);
  assert.ok(error.message.length > 0, what);
  return error;
}

describe('bad input on every route', () => {
  test('PATCH /hooks/:id with the body null on a file hook is a 400 saying the body must be an object', async () => {
    const r = await send('PATCH', `/hooks/${ids.fileHook}`, { body: 'null' });
    const error = assertClientError(r, 'PATCH null');
    assert.equal(r.status, 400);
    assert.equal(error.code, 'VALIDATION');
    assert.match(error.message, /must be a JSON object .* not null/);
  });

  test('every route that reads a body answers every wrong body shape with a 4xx JSON error', async () => {
    const notObjects = ['null', '0', '-1.5e308', '"text"', 'true', '[]', '[[[]]]'];
    const wrongObjects = [
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"nope":1}',
      '{"name":5,"events":"media.added","mode":true,"url":false,"type":[],"payload":1,"secret":{}}',
      `{"name":"${'n'.repeat(10_000)}","events":["${'*'.repeat(40)}z"],"url":"${'u'.repeat(10_000)}","type":"${'t'.repeat(10_000)}"}`,
    ];
    // The *arr apps' routes store every JSON body they are sent (an error makes the app drop
    // later events): their bad input is integrations*.test.ts's.
    for (const route of ROUTES.filter((r) => r.body && !r.path.startsWith('/integrations/'))) {
      const target = route.path.replace(':id', idFor(route));
      const at = (what: string) => `${route.method} ${route.path} with ${what.slice(0, 60)}`;
      for (const body of notObjects) {
        const r = await send(route.method, target, { body });
        // A list is a batch to POST /events: answered item by item (207), each item refused.
        if (route.path === '/events' && body.startsWith('[') && body !== '[]') assert.equal(r.status, 207, at(body));
        else assertClientError(r, at(body));
      }
      for (const body of wrongObjects) assertClientError(await send(route.method, target, { body }), at(body));
      assert.equal(assertClientError(await send(route.method, target, { body: '{"a":' }), at('truncated JSON')).code, 'MALFORMED_JSON');
      assert.equal((await send(route.method, target, { body: `"${'x'.repeat(BODY_LIMIT)}"` })).status, 413, at('a body over the limit'));
      assert.equal((await send(route.method, target, { body: '{}', type: 'image/png' })).status, 415, at('image/png'));
      const invalidUtf8 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","type":"\xff"}')]);
      assertClientError(await send(route.method, target, { body: invalidUtf8 }), at('invalid UTF-8'));
      const ndjson = await send(route.method, target, { body: '{"type":"media.added"}\nnot json\n', type: 'application/x-ndjson' });
      if (route.path === '/events') assert.equal(ndjson.status, 207, at('NDJSON'));
      else assertClientError(ndjson, at('NDJSON'));
      // An empty body is fine only where the body is optional.
      const empty = await send(route.method, target, { body: '' });
      if (route.path.endsWith('/rotate-secret')) assert.equal(empty.status, 200, at('an empty body'));
      else assertClientError(empty, at('an empty body'));
    }
  });

  test('query parameters repeated, empty, huge or not numbers are 400s that name the parameter', async () => {
    const numeric = new Set(['limit', 'before']);
    for (const route of ROUTES.filter((r) => r.query.length > 0 && r.method === 'GET')) {
      const path = route.path.replace(':id', idFor(route));
      for (const name of route.query.filter((q) => q !== 'access_token')) {
        const at = (what: string) => `${route.path}?${name} ${what}`;
        const list = name === 'types' || name === 'type'; // these may repeat: the lists are joined
        const repeated = await send('GET', `${path}?${name}=1&${name}=2`);
        if (!list) assert.equal(assertClientError(repeated, at('repeated')).details?.parameter, name, at('repeated'));
        const huge = await send('GET', `${path}?${name}=${'9'.repeat(9000)}`);
        assert.equal(assertClientError(huge, at('huge')).details?.parameter, name, at('huge'));
        if (numeric.has(name)) {
          for (const bad of ['', 'abc', '1.5', '-1', '1e3', '99999999999999999999', '0x10', '%20']) {
            const error = assertClientError(await send('GET', `${path}?${name}=${bad}`), at(JSON.stringify(bad)));
            assert.equal(error.details?.parameter, name, at(JSON.stringify(bad)));
          }
        }
      }
    }
    // Undecodable percent-encoding in a value is a value like any other.
    assertClientError(await send('GET', '/events?limit=%E0%A4%A'), 'limit=%E0%A4%A');
    assertClientError(await send('GET', '/webhooks/x/deliveries?status=%ff'), 'status=%ff');
  });

  test('path ids that are very long, undecodable or odd are 4xx, never a 5xx', async () => {
    const odd = ['x'.repeat(5000), '%E0%A4%A', '%00', '..%2F..%2Fetc%2Fpasswd', '%F0%9F%92%A9', "'%20OR%201=1--", '%25%25', 'constructor', '__proto__'];
    for (const route of ROUTES.filter((r) => r.path.includes(':id'))) {
      for (const id of odd) {
        const target = route.path.replace(':id', id);
        const r = await send(route.method, target, route.body ? { body: '{"enabled":true,"type":"media.added"}' } : {});
        const error = assertClientError(r, `${route.method} ${target.slice(0, 80)}`);
        if (id.length > 1000) assert.equal(error.details?.parameter, 'id', `${route.method} ${route.path} with a long id`);
      }
    }
  });

  test('requests Node refuses before any route (bad Content-Length, header syntax, huge headers) get a JSON 4xx', async () => {
    const auth = `authorization: Bearer ${ADMIN_TOKEN}\r\n`;
    const cases: Array<[string, Buffer, number]> = [
      ['a Content-Length that is not a number', Buffer.from(`POST /hooks HTTP/1.1\r\nhost: x\r\n${auth}content-length: abc\r\n\r\n{}`), 400],
      ['a space in a header name', Buffer.from(`GET /hooks HTTP/1.1\r\nhost: x\r\nbad header: y\r\n\r\n`), 400],
      ['Content-Length with chunked encoding', Buffer.from(`POST /hooks HTTP/1.1\r\nhost: x\r\n${auth}content-length: 2\r\ntransfer-encoding: chunked\r\n\r\n{}`), 400],
      ['a bad chunk size', Buffer.from(`POST /hooks HTTP/1.1\r\nhost: x\r\n${auth}transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`), 400],
      ['bytes that are not ASCII in the path', Buffer.from(`GET /hooks/\xff\xfe HTTP/1.1\r\nhost: x\r\n${auth}\r\n`, 'latin1'), 400],
      ['headers over 16 KiB', Buffer.from(`GET /hooks HTTP/1.1\r\nhost: x\r\nx-a: ${'a'.repeat(20_000)}\r\n\r\n`), 431],
      ['an Expect other than 100-continue', Buffer.from(`POST /hooks HTTP/1.1\r\nhost: x\r\n${auth}expect: teapot\r\ncontent-length: 2\r\n\r\n{}`), 417],
    ];
    for (const [what, bytes, status] of cases) {
      const r = await rawRequest(d.url, bytes);
      assert.equal(r.status, status, `${what}: ${r.body}`);
      assertClientError(r, what);
    }
    // A body shorter than its Content-Length, the sender then done: 400, or dropped unanswered.
    const short = await rawRequest(d.url, buildRequest('POST', '/hooks', { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-length': '100' }, '{}'), { halfClose: true });
    if (short.status !== 0) assertClientError(short, 'a body shorter than its Content-Length');
  });

  test('the daemon still serves everyone after all of it', async () => {
    const r = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'After' } }, { token: EVENTS_TOKEN });
    assert.equal(r.status, 202, r.text);
    assert.equal((await d.call('GET', `/hooks/${ids.fileHook}`)).status, 200);
  });
});
