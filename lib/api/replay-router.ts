// POST /hooks/replay: a module hook's draft (new source, or a saved hook as it is) run against
// stored events of one type, with nothing stored and no side effects (lib/dispatch/replay.ts).
// Admin scope: it runs code.
import type { Catalog } from '../catalog.ts';
import type { HookRecord, HooksStore } from '../db/hooks-store.ts';
import { HOOK_FIELDS, type HookDefinitions } from '../dispatch/hook-definition.ts';
import type { Replay } from '../dispatch/replay.ts';
import { errors } from '../errors.ts';
import { JSON_VALUE } from '../value-schemas.ts';
import { HOOK_ERROR, INVOCATION_STATUSES, LOG_LINE } from './hook-view.ts';
import { MAX_ID_LENGTH } from './request-params.ts';
import { createRouteTable, defineRoute } from './route.ts';

export const DEFAULT_REPLAY_LIMIT = 20;

const REPLAY_REQUEST = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  description: 'A draft (`source`, `hookId`, or both: the saved hook with new source) and the stored events to run it against.',
  properties: {
    source: { ...HOOK_FIELDS.source, description: "The draft's ES module source (at most runtime.maxSourceSize); a compile error is 400 COMPILE_ERROR with line and column. Without it, the saved hook's current source." },
    hookId: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, description: "A saved module hook: its mode, permissions, timeout and limits are the draft's, and its stored runs are `current`." },
    type: { type: 'string', minLength: 1, description: 'The event type whose stored events are replayed.' },
    limit: { type: 'integer', minimum: 1, description: `The newest this many events (default ${DEFAULT_REPLAY_LIMIT}; at most ui.replayMaxEvents).` },
    since: { type: 'string', format: 'date-time', description: 'Only events received at or after this time.' },
    until: { type: 'string', format: 'date-time', description: 'Only events received at or before this time (with since: a time range; the newest `limit` of it).' },
    mode: { ...HOOK_FIELDS.mode, description: 'A draft without hookId: filter (default) or action.' },
    permissions: { ...HOOK_FIELDS.permissions, description: "The draft's permissions (default: the saved hook's, or none)." },
    allowNetwork: { type: 'boolean', description: 'Let ctx.fetch and ctx.apps reach what the permissions grant (default false: every call is denied, nothing leaves the host).' },
  },
} as const;

const REPLAY_ANSWER = {
  type: 'object',
  additionalProperties: false,
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      description: 'One per stored event replayed, newest first.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['eventId', 'receivedAt', 'current', 'draft', 'changed'],
        properties: {
          eventId: { type: 'string' },
          receivedAt: { type: 'string', format: 'date-time' },
          current: {
            type: 'object',
            additionalProperties: false,
            required: ['status', 'payload'],
            description: "What is stored now: `status` the saved hook's latest recorded run for this event (`not-run` when it has none, or for a draft without hookId); `payload` the event's stored final payload (after the whole filter chain when one ran, else as received).",
            properties: { status: { enum: [...INVOCATION_STATUSES, 'not-run'] }, payload: JSON_VALUE },
          },
          draft: {
            type: 'object',
            additionalProperties: false,
            required: ['status', 'payload', 'logs', 'durationMs', 'emitted'],
            description: "The draft's dry run: a filter gets the event's received payload, an action its stored final one. `payload`: a filter's output as the chain would store it (its input when it failed); an action's input (an action never changes the payload, so it is never `changed`).",
            properties: {
              status: { enum: INVOCATION_STATUSES },
              payload: JSON_VALUE,
              result: { ...JSON_VALUE, description: 'What the draft returned (absent: nothing).' },
              logs: { type: 'array', items: LOG_LINE },
              durationMs: { type: 'number', minimum: 0 },
              error: HOOK_ERROR,
              emitted: {
                type: 'array',
                description: 'What it raised with ctx.emit: collected here, never raised.',
                items: { type: 'object', additionalProperties: false, required: ['type', 'payload'], properties: { type: { type: 'string' }, payload: JSON_VALUE } },
              },
            },
          },
          changed: { type: 'boolean', description: "Whether the draft's payload differs from current.payload." },
        },
      },
    },
  },
} as const;

export const REPLAY_ROUTES = {
  replay: defineRoute({
    operationId: 'replayHook',
    method: 'POST',
    path: '/hooks/replay',
    tag: 'hooks',
    summary: "Run a hook's draft against stored events: nothing stored, no side effects",
    description: 'Each stored event of `type` (newest first) is given to the draft in the sandbox as a dry run: no invocation is recorded, no webhook sent, nothing emitted is raised, no progress published, and ctx.fetch/ctx.apps are denied unless allowNetwork is true. Runs are bounded by the hook\'s timeout each. Module hooks only.',
    auth: { scope: 'admin' },
    body: { schema: REPLAY_REQUEST, read: 'object', name: 'replay', expects: '{ "source" or "hookId", "type" }' },
    responses: { 200: { description: 'One result per event replayed.', schema: REPLAY_ANSWER } },
    errors: ['NOT_FOUND', 'COMPILE_ERROR', 'UNKNOWN_EVENT_TYPE', 'UNPROCESSABLE'],
  }),
} as const;

export interface ReplayRouterDeps {
  replay: Replay;
  hooks: HooksStore;
  definitions: HookDefinitions;
  catalog: Catalog;
  /** config ui.replayMaxEvents. */
  maxEvents: number;
  bodyLimit: number;
  maxDepth: number;
}

export function createReplayRouter(deps: ReplayRouterDeps) {
  const routes = createRouteTable({ bodyLimit: deps.bodyLimit, maxDepth: deps.maxDepth });

  routes.add(REPLAY_ROUTES.replay, async (ctx, { body }) => {
    if (body.source === undefined && body.hookId === undefined) throw errors.validation('invalid replay: give "source" (a draft), "hookId" (a saved hook), or both', { pointer: '/source' });
    if (!deps.catalog.get(body.type)) throw errors.unknownEventType(body.type);
    const limit = body.limit ?? DEFAULT_REPLAY_LIMIT;
    if (body.since !== undefined && body.until !== undefined && Date.parse(body.until) < Date.parse(body.since)) {
      throw errors.validation(`invalid replay: /until ${body.until} is before /since ${body.since}`, { pointer: '/until' });
    }
    if (limit > deps.maxEvents) throw errors.validation(`invalid replay: /limit ${limit} is above ui.replayMaxEvents (${deps.maxEvents})`, { pointer: '/limit', limit: deps.maxEvents });
    const saved = body.hookId === undefined ? undefined : await deps.hooks.get(body.hookId);
    if (body.hookId !== undefined && !saved) throw errors.notFound('hook', body.hookId);
    if (saved && saved.kind !== 'module') throw errors.unprocessable(`hook "${saved.name}" is a command hook: replay runs module hooks only (a program's side effects cannot be withheld)`, { pointer: '/hookId' });
    const fields = await deps.definitions.forCreate({
      name: saved?.name ?? 'draft',
      events: [body.type],
      mode: body.mode ?? saved?.mode ?? 'filter',
      source: body.source ?? saved?.source ?? undefined,
      permissions: body.permissions ?? saved?.permissions ?? {},
      ...(saved?.timeoutMs ? { timeoutMs: saved.timeoutMs } : {}),
      ...(saved?.limits ? { limits: saved.limits } : {}),
    }, 'api');
    const now = Date.now();
    // Never the saved hook's id: the sandbox keeps one compartment (and module state) per id.
    const draft: HookRecord = { ...fields, id: 'replay-draft', version: saved?.version ?? 0, consecutiveFailures: 0, createdAt: now, updatedAt: now };
    const results = await deps.replay({
      draft,
      savedHookId: saved?.id,
      type: body.type,
      limit,
      since: body.since === undefined ? undefined : Date.parse(body.since),
      until: body.until === undefined ? undefined : Date.parse(body.until),
      allowNetwork: body.allowNetwork ?? false,
    });
    ctx.body = { results };
  });

  return routes.router;
}
