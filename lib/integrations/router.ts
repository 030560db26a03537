// POST|PUT /integrations/{app} and /integrations/{app}/{instance}: where the *arr apps'
// Webhook connection points. Declared as data (so GET /openapi.json shows them), mounted
// before the app's Bearer authentication because these routes also take HTTP Basic.
import type { Context } from 'koa';
import { asHookdError } from '../api/error-middleware.ts';
import type { Principal } from '../api/auth.ts';
import { readBody } from '../api/body.ts';
import { createRouteTable, defineRoute, type RouteSpec } from '../api/route.ts';
import { errors } from '../errors.ts';
import type { IntegrationMetrics } from '../metrics/index.ts';
import { createIntegrationAuth, type CredentialsDeps } from './credentials.ts';
import { ARR_APPS, isArrApp } from './arr-apps.ts';
import type { Receiver, Received } from './receive.ts';

const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const DEFAULT_INSTANCE = 'default';

const PROBLEMS = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['pointer', 'message'],
    properties: { pointer: { type: 'string' }, message: { type: 'string' } },
  },
} as const;

const STORED = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'status'],
  properties: { id: { type: 'string' }, type: { type: 'string' }, status: { enum: ['pending', 'done'] } },
} as const;

export const INTEGRATION_ACCEPTED = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'status', 'flags'],
  description: 'The body is durably stored (as `type`), and so is the normalized media event derived from it, when there is one.',
  properties: {
    ...STORED.properties,
    normalized: { ...STORED, description: 'The media event raised from the body (media.added, download.grabbed, …), whose causationId is `id`.' },
    flags: {
      type: 'array',
      description: 'Why the stored body deserves a look (also logged as a warning and counted): empty when all is well.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['flag', 'message'],
        properties: {
          flag: {
            enum: ['not-an-object', 'unknown-event-type', 'schema-mismatch', 'not-normalized'],
            description:
              'not-an-object: stored as <app>.unknown; unknown-event-type: an eventType hookd does not know (or none), stored as <app>.unknown; ' +
              "schema-mismatch: the body does not match its type's schema (stored as sent); not-normalized: no media event could be derived.",
          },
          message: { type: 'string' },
          problems: { ...PROBLEMS, description: 'The first schema problems, as JSON pointers into the body (or the derived payload).' },
        },
      },
    },
  },
} as const;

const APP_PARAM = { type: 'string', maxLength: 64, description: `The app: ${ARR_APPS.join(', ')}.` } as const;
const INSTANCE_PARAM = {
  type: 'string',
  maxLength: 64,
  description: 'Your name for one of several instances of the app, e.g. "4k" (letters, digits, _ and -; at most 64): it is the normalized events\' `instance`.',
} as const;

function declare(method: 'POST' | 'PUT', withInstance: boolean) {
  return defineRoute({
    operationId: `${method.toLowerCase()}Integration${withInstance ? 'Instance' : ''}`,
    method,
    path: withInstance ? '/integrations/:app/:instance' : '/integrations/:app',
    tag: 'integrations',
    summary: `An *arr app's webhook body (${method}${withInstance ? ', one named instance' : ''})`,
    description:
      "Point the app's Webhook connection here (Settings → Connect → + → Webhook; method POST or PUT; the password a token with the `events` scope, " +
      'the user name anything). Every JSON body is stored as the app sent it, as `<app>.<event>` (or `<app>.unknown`), and answered 200 once it is ' +
      'durably stored, with the normalized media event derived from it (media.added, download.grabbed, media.imported, …). Nothing that parses ' +
      "as JSON is refused: a body hookd does not understand is stored and flagged, because the app drops later events after an error.",
    auth: { scope: 'events', basic: true },
    params: {
      type: 'object',
      required: withInstance ? ['app', 'instance'] : ['app'],
      properties: withInstance ? { app: APP_PARAM, instance: INSTANCE_PARAM } : { app: APP_PARAM },
    },
    body: {
      schema: { description: "The app's webhook body: any JSON value (GET /catalog has each event's schema)." },
      read: 'handler',
      name: 'webhook body',
      expects: 'a JSON document',
      description: 'JSON, as the app sends it (Content-Type application/json).',
    },
    responses: { 200: { description: 'Stored.', schema: INTEGRATION_ACCEPTED } },
    errors: ['NOT_FOUND'],
  });
}

export const INTEGRATION_ROUTES = {
  post: declare('POST', false),
  put: declare('PUT', false),
  postInstance: declare('POST', true),
  putInstance: declare('PUT', true),
} as const;

export interface IntegrationsRouterDeps {
  receive: Receiver;
  identify: CredentialsDeps['identify'];
  bodyLimit: number;
  maxDepth: number;
  metrics: IntegrationMetrics;
}

export function createIntegrationsRouter(deps: IntegrationsRouterDeps) {
  const routes = createRouteTable({ bodyLimit: deps.bodyLimit, maxDepth: deps.maxDepth });
  const authenticate = createIntegrationAuth({ identify: deps.identify, onRefused: (app) => deps.metrics.refused(app, 'UNAUTHORIZED') });

  async function handle(ctx: Context, params: { app: string; instance?: string }): Promise<void> {
    try {
      if (!isArrApp(params.app)) throw errors.unknownIntegration(params.app, ARR_APPS);
      const instance = params.instance ?? DEFAULT_INSTANCE;
      if (!INSTANCE.test(instance)) {
        throw errors.validation('path parameter "instance" must be 1-64 letters, digits, _ or -, starting with a letter or digit', { parameter: 'instance' });
      }
      const body = await readBody(ctx, { limit: deps.bodyLimit, maxDepth: deps.maxDepth });
      if (body.format !== 'json') throw errors.validation('send the webhook body as one JSON document, not NDJSON');
      const received = await deps.receive({ app: params.app, instance, body: body.value, source: (ctx.state.principal as Principal).name });
      ctx.status = 200;
      ctx.body = present(received);
    } catch (err) {
      deps.metrics.refused(params.app, asHookdError(err).code);
      throw err;
    }
  }

  const access = { access: 'authenticate', authenticate } as const;
  for (const spec of Object.values(INTEGRATION_ROUTES) as RouteSpec[]) {
    routes.add(spec, (ctx, { params }) => handle(ctx, params as { app: string; instance?: string }), access);
  }
  return routes.router;
}

function present(r: Received) {
  const stored = (e: Received['raw']) => ({ id: e.id, type: e.type, status: e.status as 'pending' | 'done' });
  return { ...stored(r.raw), ...(r.normalized ? { normalized: stored(r.normalized) } : {}), flags: r.flags };
}
