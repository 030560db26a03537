// GET /metrics: Prometheus text. Needs a token with the metrics (or admin) scope, unless the
// config says metrics.public: true. Mounted before the app's authentication for that reason.
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { requireScope } from './auth.ts';

export interface MetricsRouterDeps {
  /** config metrics.public */
  public: boolean;
  authenticate: Middleware;
  contentType: string;
  render: () => Promise<string>;
}

export function createMetricsRouter(deps: MetricsRouterDeps): Router {
  const router = new Router();
  const guard: Middleware[] = deps.public ? [] : [deps.authenticate, requireScope('metrics')];
  router.get('/metrics', ...guard, async (ctx) => {
    const text = await deps.render();
    ctx.set('cache-control', 'no-store');
    ctx.set('content-type', deps.contentType);
    ctx.body = text;
  });
  return router;
}
