// The one error middleware also owns JSON serialization: a body JSON.stringify refuses (a BigInt,
// a cycle) is an INTERNAL error there, logged with the request id and answered with the usual
// JSON error shape, not koa's bare text 500 after the middleware has returned.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import Router from '@koa/router';
import { createApp } from '../../../lib/api/app.ts';
import { createLogger, type Logger } from '../../../lib/log.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

/** The daemon's Koa app with `router` as its one public router, on a loopback port closed after the test. */
async function serve(t: TestContext, log: Logger, router: Router): Promise<string> {
  const app = createApp({ log, authenticate: (_ctx, next) => next(), publicRouters: [router], routers: [] });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('a body that cannot be serialized is a logged JSON 500 with the request id; others are JSON as before', async (t) => {
  const sink = createLogSink();
  const log = createLogger({ level: 'info', pretty: false, destination: sink.stream });
  const router = new Router();
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;
  router.get('/big-int', (ctx) => void (ctx.body = { n: 1n }));
  router.get('/cycle', (ctx) => void (ctx.body = cycle));
  router.get('/fine', (ctx) => void (ctx.body = { items: [1, 'two'] }));
  router.get('/text', (ctx) => void (ctx.body = 'plain'));
  const url = await serve(t, log, router);

  for (const path of ['/big-int', '/cycle']) {
    const res = await fetch(url + path, { headers: { 'x-request-id': `req-${path.slice(1)}` } });
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    assert.deepEqual([body.error.code, body.error.requestId], ['INTERNAL', `req-${path.slice(1)}`]);
    const logged = sink.lines().find((l) => l.requestId === `req-${path.slice(1)}` && l.msg === 'request failed');
    assert.ok(logged, `logged with the request id: ${sink.text()}`);
    assert.equal(logged.level, 50, 'at error level');
  }
  const fine = await fetch(`${url}/fine`);
  assert.equal(fine.status, 200);
  assert.match(fine.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(await fine.json(), { items: [1, 'two'] });
  const head = await fetch(`${url}/fine`, { method: 'HEAD' });
  assert.equal(head.headers.get('content-length'), String(JSON.stringify({ items: [1, 'two'] }).length));
  const text = await fetch(`${url}/text`);
  assert.deepEqual([text.headers.get('content-type'), await text.text()], ['text/plain; charset=utf-8', 'plain']);
});

test("a unique key refusing a write (a concurrent request stored the same key first) is a 409 CONFLICT on both databases' errors, not logged as a failure", async (t) => {
  const sink = createLogSink();
  const log = createLogger({ level: 'info', pretty: false, destination: sink.stream });
  const router = new Router();
  const sqlite = Object.assign(new Error('insert into `hooks` ... - SQLITE_CONSTRAINT: UNIQUE constraint failed: hooks.name'), { code: 'SQLITE_CONSTRAINT', errno: 19 });
  const postgres = Object.assign(new Error('duplicate key value violates unique constraint "hooks_name_unique"'), { code: '23505' });
  const otherConstraint = Object.assign(new Error('SQLITE_CONSTRAINT: NOT NULL constraint failed: hooks.name'), { code: 'SQLITE_CONSTRAINT' });
  router.get('/sqlite', () => Promise.reject(sqlite));
  router.get('/postgres', () => Promise.reject(postgres));
  router.get('/not-null', () => Promise.reject(otherConstraint));
  const url = await serve(t, log, router);
  for (const path of ['/sqlite', '/postgres']) {
    const res = await fetch(url + path);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.deepEqual([res.status, body.error.code], [409, 'CONFLICT'], path);
    assert.match(body.error.message, /same unique key/);
    assert.doesNotMatch(body.error.message, /hooks\.name|insert into/, 'no SQL or schema names in the answer');
  }
  // Any other constraint is still the daemon's own failure: a logged 500.
  const other = await fetch(`${url}/not-null`);
  assert.equal(other.status, 500);
  assert.equal(sink.lines().filter((l) => l.msg === 'request failed').length, 1, sink.text());
});
