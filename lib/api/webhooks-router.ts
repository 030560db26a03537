// /webhooks: create (the secret is answered once), list, read, change, delete, rotate the
// secret, send a test ping, and list an endpoint's deliveries with every attempt. Admin only.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { DeliveryStatus } from '../db/deliveries-store.ts';
import type { Endpoints } from '../webhooks/index.ts';
import { requireScope } from './auth.ts';
import { readJsonObject, readOptionalJsonObject } from './body.ts';
import { checkIdParam, queryChoice, queryInteger, queryString } from './request-params.ts';

export interface WebhooksRouterDeps {
  endpoints: Endpoints;
  bodyLimit: number;
  /** config events.maxDepth */
  maxDepth: number;
  pageSize: number;
}

const STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'failed'];

export function createWebhooksRouter(deps: WebhooksRouterDeps): Router {
  const router = new Router();
  const admin = requireScope('admin');
  checkIdParam(router);
  const bodyOptions = { limit: deps.bodyLimit, maxDepth: deps.maxDepth };
  const json = (ctx: Context) => readJsonObject(ctx, bodyOptions, 'the webhook');

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
    // The body is optional: an empty POST (a generated secret) is the common case.
    ctx.body = await deps.endpoints.rotateSecret(ctx.params.id!, await readOptionalJsonObject(ctx, bodyOptions, '{ "secret"? }'));
  });
  router.post('/webhooks/:id/test', admin, async (ctx) => {
    ctx.body = await deps.endpoints.ping(ctx.params.id!);
  });
  router.get('/webhooks/:id/deliveries', admin, async (ctx) => {
    ctx.body = await deps.endpoints.listDeliveries(ctx.params.id!, {
      limit: queryInteger(ctx, 'limit', { min: 1, max: 1000, fallback: deps.pageSize })!,
      status: queryChoice(ctx, 'status', STATUSES),
      cursor: queryString(ctx, 'cursor', 512),
    });
  });
  return router;
}
