// The service routes on a real HTTP server: /healthz and /readyz answer from their deps with the
// documented shapes, GET and HEAD, 503 while stopping, and never 500; /metrics needs its scope
// unless public.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { createServiceRouter } from '../../../lib/api/service-router.ts';
import { createErrorMiddleware } from '../../../lib/api/error-middleware.ts';
import pino from 'pino';
import type { Readiness, ReadinessReport } from '../../../lib/readiness/index.ts';

async function serve(isStopping: () => boolean, report: Readiness['report'], metricsPublic = false) {
  const app = new Koa();
  app.silent = true;
  app.use(createErrorMiddleware({ log: pino({ level: 'silent' }) }));
  // A stand-in for the app's authentication: "Bearer m" has the metrics scope, anything else none.
  const authenticate: Koa.Middleware = async (ctx, next) => {
    ctx.state.principal = { name: 't', scopes: ctx.get('authorization') === 'Bearer m' ? ['metrics'] : ['events'] };
    await next();
  };
  const metrics = { public: metricsPublic, authenticate, contentType: 'text/plain; version=0.0.4', render: async () => 'hookd_up 1\n' };
  app.use(createServiceRouter({ isStopping, readiness: { report }, storage: { client: 'sqlite' }, document: () => '{}', metrics }).routes());
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const ready: ReadinessReport = { status: 'ready', checks: { database: 'ok', migrations: 'ok', sandbox: 'ok' } };

describe('the service router', () => {
  const cases: Array<[string, boolean, Readiness['report'], number, unknown, number, unknown]> = [
    ['ready and alive', false, async () => ready, 200, { status: 'ok' }, 200, ready],
    [
      'not ready but alive',
      false,
      async () => ({ status: 'not-ready', reason: 'sandbox host is starting', checks: { database: 'ok', migrations: 'ok', sandbox: 'sandbox host is starting' } }),
      200,
      { status: 'ok' },
      503,
      { status: 'not-ready', reason: 'sandbox host is starting', checks: { database: 'ok', migrations: 'ok', sandbox: 'sandbox host is starting' } },
    ],
    ['stopping', true, async () => ({ status: 'stopping', reason: 'hookd is stopping', checks: {} }), 503, { status: 'stopping' }, 503, { status: 'stopping', reason: 'hookd is stopping', checks: {} }],
    ['a readiness that rejects (a bug)', false, () => Promise.reject(new Error('boom')), 200, { status: 'ok' }, 503, { status: 'not-ready', reason: 'readiness could not be determined; see the daemon log', checks: {} }],
  ];
  for (const [what, stopping, report, healthStatus, healthBody, readyStatus, readyBody] of cases) {
    it(`answers ${what}`, async () => {
      const s = await serve(() => stopping, report);
      try {
        const health = await fetch(`${s.url}/healthz`);
        assert.deepEqual([health.status, await health.json()], [healthStatus, healthBody]);
        const readyz = await fetch(`${s.url}/readyz`);
        // Every answer names the database the checks ran against.
        assert.deepEqual([readyz.status, await readyz.json()], [readyStatus, { ...(readyBody as object), storage: { client: 'sqlite' } }]);
        const head = await fetch(`${s.url}/readyz`, { method: 'HEAD' });
        assert.equal(head.status, readyStatus);
      } finally {
        await s.close();
      }
    });
  }

  it('answers /metrics with the metrics scope, 403 without it, and to anyone when public', async () => {
    const guarded = await serve(() => false, async () => ready);
    try {
      assert.equal((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer e' } })).status, 403);
      const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer m' } });
      assert.deepEqual([ok.status, await ok.text()], [200, 'hookd_up 1\n']);
    } finally {
      await guarded.close();
    }
    const open = await serve(() => false, async () => ready, true);
    try {
      assert.equal((await fetch(`${open.url}/metrics`)).status, 200);
    } finally {
      await open.close();
    }
  });
});
