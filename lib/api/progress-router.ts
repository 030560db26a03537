// GET /progress: the latest value per (type, key), for a page that connects late.
// GET /stats: the progress and stream counters (received, delivered, coalesced, dropped).
import Router from '@koa/router';
import type { Progress } from '../progress/index.ts';
import type { StreamHub } from '../progress/stream-hub.ts';
import { parseTypeFilter } from '../progress/type-filter.ts';
import { requireScope } from './auth.ts';
import { queryList, queryString } from './request-params.ts';

export interface ProgressRouterDeps {
  progress: Progress;
  hub: StreamHub;
  /** Every catalog type's name (the filter's patterns are checked like /stream's). */
  catalogTypes: readonly string[];
}

export function createProgressRouter(deps: ProgressRouterDeps): Router {
  const router = new Router();

  router.get('/progress', requireScope('events'), (ctx) => {
    const filter = parseTypeFilter(queryList(ctx, 'types'), { parameter: 'types', catalogTypes: deps.catalogTypes });
    const key = queryString(ctx, 'key');
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
