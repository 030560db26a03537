// /deliveries/:id: one delivery with its exact body and every attempt; redeliver sends a
// finished one again with the same webhook-id. Admin only.
import Router from '@koa/router';
import type { Endpoints } from '../webhooks/index.ts';
import { requireScope } from './auth.ts';
import { checkIdParam } from './request-params.ts';

export function createDeliveriesRouter(deps: { endpoints: Endpoints }): Router {
  const router = new Router();
  const admin = requireScope('admin');
  checkIdParam(router);
  router.get('/deliveries/:id', admin, async (ctx) => {
    ctx.body = await deps.endpoints.getDelivery(ctx.params.id!);
  });
  router.post('/deliveries/:id/redeliver', admin, async (ctx) => {
    ctx.status = 202;
    ctx.body = await deps.endpoints.redeliver(ctx.params.id!);
  });
  return router;
}
