// /session: the dashboard's sign-in. POST exchanges a token for the session cookie, GET says
// who the session is, DELETE signs out. Mounted before the app's authentication: these routes
// read the cookie themselves (lib/api/sessions.ts).
import { errors } from '../errors.ts';
import { SCOPES } from '../config/index.ts';
import { createRouteTable, defineRoute } from './route.ts';
import type { ActiveSession, Sessions } from './sessions.ts';

const SESSION_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'scopes', 'expiresAt', 'csrfToken', 'settings'],
  properties: {
    name: { type: 'string', description: "The token's name." },
    scopes: { type: 'array', items: { enum: SCOPES }, description: "The token's scopes now: what the dashboard may show and do." },
    expiresAt: { type: 'string', format: 'date-time', description: 'When the session ends (config ui.sessionTtl after sign-in; sooner after ui.sessionIdleTimeout without use).' },
    csrfToken: { type: 'string', description: 'Send it as X-CSRF-Token with every POST, PUT, PATCH and DELETE authenticated by the cookie.' },
    settings: {
      type: 'object',
      additionalProperties: false,
      required: ['replayMaxEvents'],
      description: "The config's limits the dashboard shows before it asks.",
      properties: { replayMaxEvents: { type: 'integer', minimum: 1, description: 'ui.replayMaxEvents: the most events one POST /hooks/replay runs against.' } },
    },
  },
} as const;

const SIGN_IN = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 1024, description: 'A hookd API token.' } },
} as const;

const COOKIE_NOTE = 'The session id travels only in the HttpOnly cookie; it is never in a body or a URL.';

export const SESSION_ROUTES = {
  signIn: defineRoute({
    operationId: 'createSession',
    method: 'POST',
    path: '/session',
    tag: 'session',
    summary: 'Sign in: exchange a token for a session cookie',
    description: `Sets the \`hookd_session\` cookie (HttpOnly, SameSite=Strict, Path=/, Max-Age the session lifetime, Secure over TLS or with ui.secureCookie). The body must be sent as application/json. ${COOKIE_NOTE}`,
    auth: 'none',
    body: { schema: SIGN_IN, read: 'object', name: 'sign-in', expects: '{ "token": "<a hookd token>" }' },
    responses: { 200: { description: 'Signed in.', schema: SESSION_VIEW } },
    errors: ['UNAUTHORIZED', 'STORAGE_UNAVAILABLE', 'STORAGE_FULL'],
  }),
  get: defineRoute({
    operationId: 'getSession',
    method: 'GET',
    path: '/session',
    tag: 'session',
    summary: "Who the session cookie signs in as: the token's name, scopes and the session's expiry",
    description: `401 without a live session. ${COOKIE_NOTE}`,
    auth: 'none',
    responses: { 200: { description: 'The session.', schema: SESSION_VIEW } },
    errors: ['UNAUTHORIZED', 'STORAGE_UNAVAILABLE'],
  }),
  signOut: defineRoute({
    operationId: 'deleteSession',
    method: 'DELETE',
    path: '/session',
    tag: 'session',
    summary: 'Sign out: revoke the session and clear its cookie',
    description: 'Needs X-CSRF-Token like every state change made with the cookie.',
    auth: 'none',
    responses: { 204: { description: 'Signed out.' } },
    errors: ['UNAUTHORIZED', 'FORBIDDEN', 'STORAGE_UNAVAILABLE', 'STORAGE_FULL'],
  }),
} as const;

/** The config the dashboard shows (its limits), answered with the session. */
export interface DashboardSettings {
  replayMaxEvents: number;
}

function present(session: ActiveSession, settings: DashboardSettings) {
  return {
    name: session.principal.name,
    scopes: [...session.principal.scopes],
    expiresAt: new Date(session.expiresAt).toISOString(),
    csrfToken: session.csrfToken,
    settings,
  };
}

export function createSessionRouter(deps: { sessions: Sessions; settings: DashboardSettings; bodyLimit: number; maxDepth: number }) {
  const routes = createRouteTable({ bodyLimit: deps.bodyLimit, maxDepth: deps.maxDepth });
  routes.add(SESSION_ROUTES.signIn, async (ctx, { body }) => {
    // A cross-site form can post text/plain, but not application/json without a CORS preflight
    // hookd never grants: this keeps another site from signing a browser in with its token.
    if (!ctx.is('application/json')) throw errors.unsupportedMediaType(ctx.get('content-type'));
    ctx.set('cache-control', 'no-store');
    ctx.body = present(await deps.sessions.signIn(ctx, body.token), deps.settings);
  });
  routes.add(SESSION_ROUTES.get, async (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = present(await deps.sessions.require(ctx), deps.settings);
  });
  routes.add(SESSION_ROUTES.signOut, async (ctx) => {
    await deps.sessions.signOut(ctx, await deps.sessions.require(ctx));
    ctx.status = 204;
  });
  return routes.router;
}
