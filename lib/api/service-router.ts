// GET /healthz (alive; 503 while stopping) and GET /openapi.json (this API's contract), both
// answered without a token: the app mounts them before authentication.
import { createRouteTable, defineRoute } from './route.ts';

const HEALTH = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { enum: ['ok', 'stopping'] } },
} as const;

export const SERVICE_ROUTES = {
  health: defineRoute({
    operationId: 'getHealth',
    method: 'GET',
    path: '/healthz',
    tag: 'service',
    summary: 'Liveness: the daemon answers',
    auth: 'none',
    head: true,
    responses: {
      200: { description: 'Alive.', schema: HEALTH },
      503: { description: 'Stopping: finishing in-flight requests.', schema: HEALTH },
    },
  }),
  openapi: defineRoute({
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    tag: 'service',
    summary: 'This document: the OpenAPI 3.1 contract of the API',
    description: 'It holds no secrets, so it needs no token and may be read from any origin (Access-Control-Allow-Origin: *).',
    auth: 'none',
    responses: { 200: { description: 'The document.', schema: { type: 'object', description: 'An OpenAPI 3.1 document.' } } },
  }),
} as const;

export interface ServiceRouterDeps {
  /** false while shutting down. */
  isHealthy: () => boolean;
  /** The OpenAPI document as JSON text. */
  document: () => string;
}

export function createServiceRouter(deps: ServiceRouterDeps) {
  const routes = createRouteTable();
  routes.add(SERVICE_ROUTES.health, (ctx) => {
    const healthy = deps.isHealthy();
    ctx.status = healthy ? 200 : 503;
    ctx.body = { status: healthy ? 'ok' : 'stopping' };
  });
  routes.add(SERVICE_ROUTES.openapi, (ctx) => {
    ctx.set('access-control-allow-origin', '*');
    ctx.type = 'application/json';
    ctx.body = deps.document();
  });
  return routes.router;
}
