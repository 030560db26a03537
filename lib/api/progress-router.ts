// GET /progress: the latest value per (type, key), for a page that connects late.
// GET /stats: the progress and stream counters (received, delivered, coalesced, dropped).
import Router from '@koa/router';
import type { Progress } from '../progress/index.ts';
import type { StreamHub } from '../progress/stream-hub.ts';
import { parseTypeFilter } from '../progress/type-filter.ts';
import { requireScope } from './auth.ts';

export interface ProgressRouterDeps {
  progress: Progress;
  hub: StreamHub;
}

export function createProgressRouter(deps: ProgressRouterDeps): Router {
  const router = new Router();

  router.get('/progress', requireScope('events'), (ctx) => {
    const filter = parseTypeFilter(ctx.query.types);
    const key = typeof ctx.query.key === 'string' ? ctx.query.key : undefined;
    const ttl = deps.progress.ttlMs;
    const items = deps.progress.latest(filter.matches).flatMap((e) =>
      key !== undefined && e.key !== key
        ? []
        : [{ type: e.type, key: e.key, payload: e.data, at: e.at, expiresAt: new Date(e.updatedAt + ttl).toISOString() }],
    );
    ctx.set('cache-control', 'no-store');
    ctx.body = { items };
  });

  router.get('/stats', requireScope('events'), (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = { progress: deps.progress.stats(), stream: deps.hub.stats() };
  });

  return router;
}
