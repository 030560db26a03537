// /deliveries/:id: one delivery with its exact body and every attempt; redeliver sends a
// finished one again with the same webhook-id. Admin only.
import type { Endpoints } from '../webhooks/index.ts';
import { DELIVERY_VIEW } from '../webhooks/views.ts';
import { ID_PARAMS } from './common-schemas.ts';
import { createRouteTable, defineRoute } from './route.ts';

const admin = { scope: 'admin' } as const;

export const DELIVERY_ROUTES = {
  get: defineRoute({
    operationId: 'getDelivery',
    method: 'GET',
    path: '/deliveries/:id',
    tag: 'webhooks',
    summary: 'One delivery, with the exact body sent and every attempt',
    auth: admin,
    params: ID_PARAMS,
    responses: { 200: { description: 'The delivery.', schema: DELIVERY_VIEW } },
    errors: ['NOT_FOUND'],
  }),
  redeliver: defineRoute({
    operationId: 'redeliver',
    method: 'POST',
    path: '/deliveries/:id/redeliver',
    tag: 'webhooks',
    summary: 'Send a finished delivery again (same webhook-id, a fresh retry schedule)',
    description: 'No request body. 409 while the delivery is pending, while an attempt of it is still being sent (begun before its endpoint was disabled), when it is a ping, or while its endpoint is disabled.',
    auth: admin,
    params: ID_PARAMS,
    responses: { 202: { description: 'Queued again.', schema: DELIVERY_VIEW } },
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
} as const;

export function createDeliveriesRouter(deps: { endpoints: Endpoints }) {
  const routes = createRouteTable();
  routes.add(DELIVERY_ROUTES.get, async (ctx, { params }) => {
    ctx.body = await deps.endpoints.getDelivery(params.id);
  });
  routes.add(DELIVERY_ROUTES.redeliver, async (ctx, { params }) => {
    ctx.status = 202;
    ctx.body = await deps.endpoints.redeliver(params.id);
  });
  return routes.router;
}
