// /webhooks: create (the secret is answered once), list, read, change, delete, rotate the
// secret, send a test ping, and list an endpoint's deliveries with every attempt. Admin only.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { DeliveryStatus } from '../db/deliveries-store.ts';
import { errors } from '../errors.ts';
import type { Endpoints } from '../webhooks/index.ts';
import { requireScope } from './auth.ts';
import { readBody } from './body.ts';

export interface WebhooksRouterDeps {
  endpoints: Endpoints;
  bodyLimit: number;
  /** config events.maxDepth */
  maxDepth: number;
  pageSize: number;
}

const STATUSES = new Set(['pending', 'succeeded', 'failed']);

export function createWebhooksRouter(deps: WebhooksRouterDeps): Router {
  const router = new Router();
  const admin = requireScope('admin');
  const json = async (ctx: Context) => {
    const body = await readBody(ctx, { limit: deps.bodyLimit, maxDepth: deps.maxDepth });
    if (body.format !== 'json') throw errors.validation('send one JSON object, not NDJSON');
    return body.value;
  };
  // rotate-secret and test take an optional body: an empty POST is the common case.
  const optionalJson = async (ctx: Context) => (ctx.request.length || ctx.get('transfer-encoding') ? json(ctx) : undefined);

  router.post('/webhooks', admin, async (ctx) => {
    ctx.status = 201;
    ctx.body = await deps.endpoints.create(await json(ctx));
  });
  router.get('/webhooks', admin, async (ctx) => {
    ctx.body = { items: await deps.endpoints.list() };
  });
  router.get('/webhooks/:id', admin, async (ctx) => {
    ctx.body = await deps.endpoints.get(ctx.params.id!);
  });
  router.patch('/webhooks/:id', admin, async (ctx) => {
    ctx.body = await deps.endpoints.update(ctx.params.id!, await json(ctx));
  });
  router.delete('/webhooks/:id', admin, async (ctx) => {
    await deps.endpoints.remove(ctx.params.id!);
    ctx.status = 204;
  });
  router.post('/webhooks/:id/rotate-secret', admin, async (ctx) => {
    ctx.body = await deps.endpoints.rotateSecret(ctx.params.id!, await optionalJson(ctx));
  });
  router.post('/webhooks/:id/test', admin, async (ctx) => {
    ctx.body = await deps.endpoints.ping(ctx.params.id!);
  });
  router.get('/webhooks/:id/deliveries', admin, async (ctx) => {
    const q = ctx.query;
    const limit = q.limit === undefined ? deps.pageSize : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw errors.validation('limit must be an integer from 1 to 1000');
    if (q.status !== undefined && !STATUSES.has(String(q.status))) throw errors.validation('status must be pending, succeeded or failed');
    ctx.body = await deps.endpoints.listDeliveries(ctx.params.id!, {
      limit,
      status: q.status === undefined ? undefined : (String(q.status) as DeliveryStatus),
      cursor: q.cursor === undefined ? undefined : String(q.cursor),
    });
  });
  return router;
}
