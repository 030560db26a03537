// GET (and HEAD) /healthz and /readyz, both without a token. /healthz says the process is
// alive (a supervisor restarts it when not); /readyz says it can do its work now (database,
// migrations, sandbox host), so a load balancer sends it traffic. Neither ever answers 500.
import Router from '@koa/router';
import type { Readiness } from '../readiness/index.ts';

export function createHealthRouter(deps: { isStopping: () => boolean; readiness: Readiness }): Router {
  const router = new Router();

  router.get('/healthz', (ctx) => {
    const stopping = deps.isStopping();
    ctx.status = stopping ? 503 : 200;
    ctx.body = { status: stopping ? 'stopping' : 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    // report() never rejects; should a bug make it, the answer is still a report, not a 500.
    const report = await deps.readiness.report().catch(() => ({ status: 'not-ready' as const, reason: 'readiness could not be determined; see the daemon log', checks: {} }));
    ctx.set('cache-control', 'no-store');
    ctx.status = report.status === 'ready' ? 200 : 503;
    ctx.body = report;
  });

  return router;
}
