// /webhooks: create (the secret is answered once), list, read, change, delete, rotate the
// secret, send a test ping, and list an endpoint's deliveries with every attempt. Admin only.
import type { DeliveryStatus } from '../db/deliveries-store.ts';
import { NULLABLE_INTEGER, NULLABLE_STRING } from '../value-schemas.ts';
import type { Endpoints } from '../webhooks/index.ts';
import { DELIVERY_VIEW, WEBHOOK_VIEW } from '../webhooks/views.ts';
import { NEW_WEBHOOK_SCHEMA, ROTATE_SECRET_SCHEMA, UNSENDABLE_FIELDS, WEBHOOK_CHANGES_SCHEMA } from '../webhooks/webhook-input.ts';
import { PAGE_BYTES } from '../db/bounded-page.ts';
import { ID_PARAMS, pageOf } from './common-schemas.ts';
import { nextRegistryCursor, readRegistryCursor, registryPage, registryPageQuery } from './registry-pages.ts';
import { createRouteTable, defineRoute } from './route.ts';

const STATUSES = ['pending', 'succeeded', 'failed'] as const satisfies readonly DeliveryStatus[];
const SECRET_ONCE = { type: 'string', description: 'The signing secret: shown only in this answer.' } as const;

const WEBHOOK_CREATED = {
  ...WEBHOOK_VIEW,
  required: [...WEBHOOK_VIEW.required, 'secret'],
  properties: { ...WEBHOOK_VIEW.properties, secret: SECRET_ONCE },
} as const;

const ROTATED = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'secret', 'previousSecretExpiresAt'],
  properties: {
    id: { type: 'string' },
    secret: SECRET_ONCE,
    previousSecretExpiresAt: { type: 'string', format: 'date-time', description: 'Until then the old secret signs beside the new one (webhooks.rotationGrace).' },
  },
} as const;

const PING_RESULT = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'deliveryId', 'statusCode', 'durationMs', 'responseBody', 'error'],
  properties: {
    ok: { type: 'boolean', description: 'A 2xx answer.' },
    deliveryId: { type: 'string', description: 'The ping is logged as a delivery (GET /deliveries/:id).' },
    statusCode: NULLABLE_INTEGER,
    durationMs: { type: 'number', minimum: 0 },
    responseBody: { type: 'string', description: 'The first bytes of the answer.' },
    error: NULLABLE_STRING,
  },
} as const;

const DELIVERY_PAGE = pageOf(DELIVERY_VIEW, { field: 'nextCursor', param: 'cursor', type: 'string' });

const admin = { scope: 'admin' } as const;
const INPUT_ERRORS = ['VALIDATION', 'TARGET_REFUSED', 'UNPROCESSABLE'] as const;

export const WEBHOOK_ROUTES = {
  create: defineRoute({
    operationId: 'createWebhook',
    method: 'POST',
    path: '/webhooks',
    tag: 'webhooks',
    summary: 'Register a webhook endpoint; its secret is answered only here',
    description: 'With webhooks.maxEndpoints endpoints already, a 409 LIMIT_REACHED.',
    auth: admin,
    body: { schema: NEW_WEBHOOK_SCHEMA, read: 'object', name: 'webhook', expects: 'the webhook', unprocessable: UNSENDABLE_FIELDS },
    responses: { 201: { description: 'Registered, with its secret.', schema: WEBHOOK_CREATED } },
    errors: [...INPUT_ERRORS, 'LIMIT_REACHED'],
  }),
  list: defineRoute({
    operationId: 'listWebhooks',
    method: 'GET',
    path: '/webhooks',
    tag: 'webhooks',
    summary: 'Every webhook endpoint (never a secret), oldest first, paged',
    auth: admin,
    query: registryPageQuery('webhooks.maxEndpoints'),
    responses: { 200: { description: 'A page of endpoints.', schema: registryPage(WEBHOOK_VIEW) } },
  }),
  get: defineRoute({
    operationId: 'getWebhook',
    method: 'GET',
    path: '/webhooks/:id',
    tag: 'webhooks',
    summary: 'One webhook endpoint',
    auth: admin,
    params: ID_PARAMS,
    responses: { 200: { description: 'The endpoint.', schema: WEBHOOK_VIEW } },
    errors: ['NOT_FOUND'],
  }),
  update: defineRoute({
    operationId: 'updateWebhook',
    method: 'PATCH',
    path: '/webhooks/:id',
    tag: 'webhooks',
    summary: 'Change a webhook endpoint (the secret changes with rotate-secret)',
    auth: admin,
    params: ID_PARAMS,
    body: { schema: WEBHOOK_CHANGES_SCHEMA, read: 'object', name: 'webhook', expects: 'the webhook', unprocessable: UNSENDABLE_FIELDS },
    responses: { 200: { description: 'The changed endpoint.', schema: WEBHOOK_VIEW } },
    errors: [...INPUT_ERRORS, 'NOT_FOUND'],
  }),
  remove: defineRoute({
    operationId: 'deleteWebhook',
    method: 'DELETE',
    path: '/webhooks/:id',
    tag: 'webhooks',
    summary: 'Delete a webhook endpoint and its deliveries',
    auth: admin,
    params: ID_PARAMS,
    responses: { 204: { description: 'Deleted.' } },
    errors: ['NOT_FOUND'],
  }),
  rotateSecret: defineRoute({
    operationId: 'rotateWebhookSecret',
    method: 'POST',
    path: '/webhooks/:id/rotate-secret',
    tag: 'webhooks',
    summary: 'Replace the signing secret; the old one keeps signing beside it for webhooks.rotationGrace',
    auth: admin,
    params: ID_PARAMS,
    body: { schema: ROTATE_SECRET_SCHEMA, read: 'optional', name: 'secret rotation', expects: '{ "secret"? }', description: 'Optional: an empty body generates the secret.' },
    responses: { 200: { description: 'The new secret (shown only here).', schema: ROTATED } },
    errors: ['VALIDATION', 'NOT_FOUND'],
  }),
  ping: defineRoute({
    operationId: 'pingWebhook',
    method: 'POST',
    path: '/webhooks/:id/test',
    tag: 'webhooks',
    summary: 'Send a signed webhook.ping now and answer how it went',
    description: 'No request body. A ping that cannot be sent is `ok: false` with the reason in `error`, never an error answer.',
    auth: admin,
    params: ID_PARAMS,
    responses: { 200: { description: 'The attempt.', schema: PING_RESULT } },
    errors: ['NOT_FOUND'],
  }),
  deliveries: defineRoute({
    operationId: 'listWebhookDeliveries',
    method: 'GET',
    path: '/webhooks/:id/deliveries',
    tag: 'webhooks',
    summary: "An endpoint's deliveries, newest first, each with every attempt",
    auth: admin,
    params: ID_PARAMS,
    query: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: STATUSES, description: 'Only deliveries in this state.' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'Page size (default events.pageSize).' },
        cursor: { type: 'string', maxLength: 512, description: 'The nextCursor of the previous page.' },
      },
    },
    responses: { 200: { description: 'A page of deliveries, without their bodies (GET /deliveries/:id has one with its body).', schema: DELIVERY_PAGE } },
    errors: ['NOT_FOUND'],
  }),
} as const;

export interface WebhooksRouterDeps {
  endpoints: Endpoints;
  bodyLimit: number;
  /** config events.maxDepth */
  maxDepth: number;
  pageSize: number;
}

export function createWebhooksRouter(deps: WebhooksRouterDeps) {
  const routes = createRouteTable({ bodyLimit: deps.bodyLimit, maxDepth: deps.maxDepth });
  routes.add(WEBHOOK_ROUTES.create, async (ctx, { body }) => {
    ctx.status = 201;
    ctx.body = await deps.endpoints.create(body);
  });
  routes.add(WEBHOOK_ROUTES.list, async (ctx, { query }) => {
    const after = readRegistryCursor('w', query.cursor, 'GET /webhooks');
    const { items, next } = await deps.endpoints.list({ limit: query.limit, maxBytes: PAGE_BYTES, after });
    ctx.body = { items, nextCursor: nextRegistryCursor('w', next) };
  });
  routes.add(WEBHOOK_ROUTES.get, async (ctx, { params }) => {
    ctx.body = await deps.endpoints.get(params.id);
  });
  routes.add(WEBHOOK_ROUTES.update, async (ctx, { params, body }) => {
    ctx.body = await deps.endpoints.update(params.id, body);
  });
  routes.add(WEBHOOK_ROUTES.remove, async (ctx, { params }) => {
    await deps.endpoints.remove(params.id);
    ctx.status = 204;
  });
  routes.add(WEBHOOK_ROUTES.rotateSecret, async (ctx, { params, body }) => {
    // The body is optional: an empty POST (a generated secret) is the common case.
    ctx.body = await deps.endpoints.rotateSecret(params.id, body);
  });
  routes.add(WEBHOOK_ROUTES.ping, async (ctx, { params }) => {
    ctx.body = await deps.endpoints.ping(params.id);
  });
  routes.add(WEBHOOK_ROUTES.deliveries, async (ctx, { params, query }) => {
    ctx.body = await deps.endpoints.listDeliveries(params.id, { ...query, limit: query.limit ?? deps.pageSize });
  });
  return routes.router;
}
