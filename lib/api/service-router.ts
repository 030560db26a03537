// The service routes, mounted before the app's authentication because each decides about
// tokens itself: GET /healthz (alive; 503 while stopping) and GET /readyz (database,
// migrations, sandbox host: a load balancer's signal), GET /openapi.json (this API's
// contract), all without a token; GET /metrics (Prometheus text) with the metrics scope, or
// without a token when the config says metrics.public. None of them ever answers 500.
import type { Middleware } from 'koa';
import type { Readiness } from '../readiness/index.ts';
import { createRouteTable, defineRoute } from './route.ts';

const HEALTH = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { enum: ['ok', 'stopping'] } },
} as const;

const READINESS = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'checks'],
  properties: {
    status: { enum: ['ready', 'not-ready', 'stopping'] },
    reason: { type: 'string', description: "The first failing check's reason." },
    checks: { type: 'object', additionalProperties: { type: 'string' }, description: '"ok", or why not, per check (database, migrations, sandbox).' },
    storage: {
      type: 'object',
      additionalProperties: false,
      required: ['client'],
      description: 'Which database the checks ran against: its client, and on PostgreSQL this daemon\'s instance id (its leases\' and metrics\' name).',
      properties: { client: { enum: ['sqlite', 'postgres'] }, instance: { type: 'string' } },
    },
  },
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
  ready: defineRoute({
    operationId: 'getReadiness',
    method: 'GET',
    path: '/readyz',
    tag: 'service',
    summary: 'Readiness: the database is writable, migrations are done and the sandbox host answers',
    auth: 'none',
    head: true,
    responses: {
      200: { description: 'Ready.', schema: READINESS },
      503: { description: 'Not ready (with the reason), or stopping.', schema: READINESS },
    },
  }),
  metrics: defineRoute({
    operationId: 'getMetrics',
    method: 'GET',
    path: '/metrics',
    tag: 'service',
    summary: 'Prometheus metrics',
    description: 'Needs a token with the metrics (or admin) scope, unless the config says metrics.public: true.',
    auth: { scope: 'metrics' },
    responses: { 200: { description: 'The Prometheus text exposition format.', contentType: 'text/plain', schema: { type: 'string' } } },
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
  /** true while shutting down. */
  isStopping: () => boolean;
  readiness: Readiness;
  /** Shown with each readiness report (no URL, no path: the route needs no token). */
  storage: { client: 'sqlite' | 'postgres'; instance?: string };
  /** The OpenAPI document as JSON text. */
  document: () => string;
  metrics: {
    /** config metrics.public: no token needed. */
    public: boolean;
    /** The app's authentication: these routes are mounted before it. */
    authenticate: Middleware;
    contentType: string;
    render: () => Promise<string>;
  };
}

export function createServiceRouter(deps: ServiceRouterDeps) {
  const open = createRouteTable();
  open.add(SERVICE_ROUTES.health, (ctx) => {
    const stopping = deps.isStopping();
    ctx.status = stopping ? 503 : 200;
    ctx.body = { status: stopping ? 'stopping' : 'ok' };
  });
  open.add(SERVICE_ROUTES.ready, async (ctx) => {
    // report() never rejects; should a bug make it, the answer is still a report, not a 500.
    const report = await deps.readiness.report().catch(() => ({ status: 'not-ready' as const, reason: 'readiness could not be determined; see the daemon log', checks: {} }));
    ctx.set('cache-control', 'no-store');
    ctx.status = report.status === 'ready' ? 200 : 503;
    ctx.body = { ...report, storage: deps.storage };
  });
  open.add(SERVICE_ROUTES.openapi, (ctx) => {
    ctx.set('access-control-allow-origin', '*');
    ctx.type = 'application/json';
    ctx.body = deps.document();
  });
  // Authenticated here (the route sits before the app's authentication), or open when public.
  open.add(SERVICE_ROUTES.metrics, async (ctx) => {
    const text = await deps.metrics.render();
    ctx.set('cache-control', 'no-store');
    ctx.set('content-type', deps.metrics.contentType);
    ctx.body = text;
  }, deps.metrics.public ? { access: 'public' } : { access: 'authenticate', authenticate: deps.metrics.authenticate });
  return open.router;
}
