// GET /catalog: every event type hookd accepts, with its kind and schema; GET /healthz.
import Router from '@koa/router';
import type { Catalog } from '../catalog.ts';
import { requireScope } from './auth.ts';

export function createCatalogRouter(deps: { catalog: Catalog }): Router {
  const router = new Router();
  router.get('/catalog', requireScope('events'), (ctx) => {
    ctx.body = { types: deps.catalog.list() };
  });
  return router;
}
