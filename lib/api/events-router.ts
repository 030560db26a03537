// POST /events (single, JSON array or NDJSON batch), GET /events/:id, GET /events (cursor
// paged): their declarations (what the OpenAPI document shows) and their handlers, which only
// translate HTTP to the event service's calls (lib/events) and its results to HTTP.
import type { Context } from 'koa';
import { PAGE_BYTES } from '../db/bounded-page.ts';
import type { EventStatus, EventsStore } from '../db/events-store.ts';
import { toStorageError } from '../db/storage-errors.ts';
import { errors, isHookdError } from '../errors.ts';
import { EVENT_INPUT_SCHEMA, payloadAt, payloadChanged, type AcceptResult, type CheckedItem, type EventService } from '../events/index.ts';
import type { Logger } from '../log.ts';
import type { EventMetrics } from '../metrics/index.ts';
import { parseTypeFilter } from '../progress/type-filter.ts';
import type { DeliveryView } from '../webhooks/views.ts';
import type { Principal } from './auth.ts';
import { readBody, type BodyItem } from './body.ts';
import { ID_PARAMS, pageOf } from './common-schemas.ts';
import { MAX_ID_LENGTH } from './request-params.ts';
import { BATCH_RESULT, EVENT_ACCEPTED, EVENT_DETAIL, EVENT_VIEW, FILTER_RESULT, PROGRESS_ACCEPTED, presentEvent } from './event-view.ts';
import type { InvocationView } from './hook-view.ts';
import { TYPES_PARAM } from './progress-router.ts';
import { asHookdError } from './error-middleware.ts';
import { createRouteTable, defineRoute } from './route.ts';

const EVENT_PAGE = pageOf(EVENT_VIEW, { field: 'nextCursor', param: 'cursor', type: 'string' });
const EVENT_STATUSES: readonly EventStatus[] = ['pending', 'done'];
/** What a page of GET /events (or GET /events/:id/emitted) holds at most of its events' stored JSON: the store's one page bound. */
export const EVENT_PAGE_BYTES = PAGE_BYTES;
const PAGE_MIB = `${PAGE_BYTES / 1024 / 1024} MiB`;
/** Bounds the text search's LIKE patterns (each a scan over the text columns). */
export const MAX_SEARCH_TEXT = 200;

const EMITTED_TREE = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'truncated'],
  properties: {
    items: { type: 'array', items: EVENT_VIEW },
    truncated: { type: 'boolean', description: 'More emitted events exist than the answer holds.' },
  },
} as const;

export const EVENT_ROUTES = {
  post: defineRoute({
    operationId: 'postEvents',
    method: 'POST',
    path: '/events',
    tag: 'events',
    summary: 'Post an event, or a batch (a JSON array or NDJSON)',
    description:
      'One event answers 202 once durably stored (200 with the stored event when its `id` was seen before). ' +
      '`?wait=true` (or a catalog type with `sync: true`) runs the filter chain first and answers 200 with the final payload. ' +
      'Progress-kind types answer 202 `{ type, status: "live" }`. A batch (a JSON array, or `application/x-ndjson` with one event per line, ' +
      'at most events.maxBatch items) answers 207 item by item. Payloads are free-form here: each is checked at run time against ' +
      "its type's schema in the catalog (GET /catalog).",
    auth: { scope: 'events' },
    query: {
      type: 'object',
      properties: {
        wait: { type: 'boolean', description: 'Run the filter chain and answer the final payload (true, 1 or empty; false or 0). A single event only.' },
      },
    },
    body: {
      schema: { oneOf: [EVENT_INPUT_SCHEMA, { type: 'array', items: EVENT_INPUT_SCHEMA, minItems: 1, description: 'A batch.' }] },
      read: 'handler',
      name: 'event',
      expects: 'an event',
      description: 'An event, or a batch. Sent as application/json (also accepted: text/plain, application/x-www-form-urlencoded, any +json type) or NDJSON.',
      alternatives: {
        'application/x-ndjson': { type: 'string', description: 'One event object per line (also application/ndjson, application/jsonl); blank lines are skipped.' },
      },
    },
    responses: {
      200: { description: 'The filter chain ran (?wait=true), or the id was seen before.', schema: { oneOf: [FILTER_RESULT, EVENT_VIEW] } },
      202: { description: 'Stored (business) or published live (progress).', schema: { oneOf: [EVENT_ACCEPTED, PROGRESS_ACCEPTED] } },
      207: { description: 'A batch, item by item: a bad item is reported and the others are still stored.', schema: BATCH_RESULT },
    },
    errors: ['VALIDATION', 'PAYLOAD_TOO_LARGE', 'UNKNOWN_EVENT_TYPE', 'SCHEMA_VIOLATION', 'UNPROCESSABLE', 'RATE_LIMITED'],
  }),
  get: defineRoute({
    operationId: 'getEvent',
    method: 'GET',
    path: '/events/:id',
    tag: 'events',
    summary: 'One event, with the hooks that ran for it and its webhook deliveries',
    auth: { scope: 'events' },
    params: ID_PARAMS,
    responses: { 200: { description: 'The event.', schema: EVENT_DETAIL } },
    errors: ['NOT_FOUND'],
  }),
  list: defineRoute({
    operationId: 'listEvents',
    method: 'GET',
    path: '/events',
    tag: 'events',
    summary: 'Stored events, newest first, cursor paged',
    auth: { scope: 'events' },
    query: {
      type: 'object',
      properties: {
        type: TYPES_PARAM,
        since: { type: 'string', maxLength: 64, format: 'date-time', description: 'Only events received at or after this ISO 8601 time.' },
        until: { type: 'string', maxLength: 64, format: 'date-time', description: 'Only events received at or before this ISO 8601 time.' },
        status: {
          type: 'array',
          items: { enum: EVENT_STATUSES },
          description: `Only events in these statuses (${EVENT_STATUSES.join(', ')}), comma-separated or repeated.`,
        },
        q: {
          type: 'string',
          maxLength: MAX_SEARCH_TEXT,
          description:
            `Text to find in the id, type, source or payload (as received or as stored), case-insensitively (ASCII letters only on SQLite); at most ${MAX_SEARCH_TEXT} characters. ` +
            'Wildcards are literal. Scans the events newest first until a page is full: narrow with type, status or a time range on large stores.',
        },
        causation: { type: 'string', maxLength: MAX_ID_LENGTH, description: 'Only the events hooks emitted for this event (its direct children).' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, description: `Page size (default events.pageSize). A page also ends once its events' stored JSON passes ${PAGE_MIB} (one event always fits); nextCursor then continues.` },
        cursor: { type: 'string', maxLength: 64, description: 'The nextCursor of the previous page; the next page of the same filters.' },
      },
    },
    responses: { 200: { description: 'A page of events.', schema: EVENT_PAGE } },
  }),
  emitted: defineRoute({
    operationId: 'listEmittedEvents',
    method: 'GET',
    path: '/events/:id/emitted',
    tag: 'events',
    summary: "The events an event's hooks emitted (ctx.emit), and theirs, level by level",
    description:
      'Breadth first, each level in arrival order; every item names its parent in `causationId` and its `depth`. ' +
      '`truncated` is true when more exist past `levels` or `limit` (page through one parent\'s children with GET /events?causation=).',
    auth: { scope: 'events' },
    params: ID_PARAMS,
    query: {
      type: 'object',
      properties: {
        levels: { type: 'integer', minimum: 1, maximum: 20, description: 'How many levels down (default 5; hooks.maxEmitDepth bounds how deep chains grow).' },
        limit: { type: 'integer', minimum: 1, maximum: 500, description: `At most this many events in all (default 100), and at most ${PAGE_MIB} of their stored JSON (one event always fits); \`truncated\` says when either cut the answer.` },
      },
    },
    responses: { 200: { description: 'The emitted events.', schema: EMITTED_TREE } },
    errors: ['NOT_FOUND'],
  }),
} as const;

export interface EventsRouterDeps {
  service: Pick<EventService, 'check' | 'accept' | 'refuseWhileThrottled'>;
  /** Whether a type's catalog entry says its POSTs always wait for the filter chain. */
  isSync: (type: string) => boolean;
  events: EventsStore;
  /** Every catalog type's name: what a ?type= pattern can stand for. */
  catalogTypes: readonly string[];
  bodyLimit: number;
  /** Nesting depth of a posted document (config events.maxDepth). */
  maxDepth: number;
  maxBatch: number;
  pageSize: number;
  /** Where a batch item's unexpected failure is logged (single requests: the error middleware). */
  log: Logger;
  /** The hooks that ran for an event and its deliveries, for GET /events/:id. */
  describeEvent: (id: string) => Promise<{ invocations: InvocationView[]; deliveries: DeliveryView[] }>;
  /** Counts every posted item accepted or refused, and every request refused whole. */
  metrics: EventMetrics;
}

/** The `type` a posted item claims, whatever it is (the metrics fold what the catalog lacks). */
const postedType = (item: unknown) => (typeof item === 'object' && item !== null ? (item as { type?: unknown }).type : undefined);

export function createEventsRouter(deps: EventsRouterDeps) {
  const routes = createRouteTable({ bodyLimit: deps.bodyLimit, maxDepth: deps.maxDepth });

  routes.add(EVENT_ROUTES.post, async (ctx, { query }) => {
    let single: unknown; // the posted object once read: its refusal is counted under its type
    try {
      const source = (ctx.state.principal as Principal).name;
      deps.service.refuseWhileThrottled(source);
      const body = await readBody(ctx, { limit: deps.bodyLimit, maxDepth: deps.maxDepth, batch: true });
      const wait = query.wait === true;
      if (body.format === 'json') {
        single = body.value;
        const item = deps.service.check(body.value, source, '', { wait });
        const [result] = await deps.service.accept([item]);
        answerSingle(ctx, result!, wait || (result!.kind === 'business' && deps.isSync(result!.event.type)));
        deps.metrics.received(postedType(single));
        return;
      }
      if (wait) throw errors.validation('wait=true takes a single event, not a batch');
      if (body.items.length === 0) throw errors.validation('the batch is empty');
      if (body.items.length > deps.maxBatch) {
        throw errors.validation(`the batch has ${body.items.length} items; the limit is ${deps.maxBatch} (config events.maxBatch)`);
      }
      await answerBatch(ctx, body.items, source);
    } catch (err) {
      deps.metrics.rejected(postedType(single), asHookdError(err).code);
      throw err;
    }
  });

  routes.add(EVENT_ROUTES.get, async (ctx, { params }) => {
    const event = await deps.events.get(params.id);
    if (!event) throw errors.notFound('event', params.id);
    ctx.body = { ...presentEvent(event), ...(await deps.describeEvent(event.id)) };
  });

  routes.add(EVENT_ROUTES.list, async (ctx, { query }) => {
    const limit = query.limit ?? deps.pageSize;
    const since = parseTime('since', query.since);
    const until = parseTime('until', query.until);
    if (since !== undefined && until !== undefined && until < since) {
      throw errors.validation(`query parameter "until" (${query.until}) is before "since" (${query.since})`, { parameter: 'until' });
    }
    const afterSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    // ?type= takes event patterns like ?types= of /stream: a pattern stands for the catalog types it matches.
    const { types } = parseTypeFilter(query.type, { parameter: 'type', catalogTypes: deps.catalogTypes });
    const text = parseSearchText(query.q);
    const statuses = parseStatuses(query.status);
    const { items, more } = await deps.events.listPage({ types, statuses, since, until, text, causationId: query.causation, afterSeq, limit }, EVENT_PAGE_BYTES);
    const last = items.at(-1);
    ctx.body = { items: items.map(presentEvent), nextCursor: more && last ? encodeCursor(last.seq) : null };
  });

  routes.add(EVENT_ROUTES.emitted, async (ctx, { params, query }) => {
    if (!(await deps.events.get(params.id))) throw errors.notFound('event', params.id);
    const tree = await deps.events.listEmitted(params.id, { levels: query.levels ?? 5, limit: query.limit ?? 100, maxBytes: PAGE_BYTES });
    ctx.body = { items: tree.items.map(presentEvent), truncated: tree.truncated };
  });

  async function answerBatch(ctx: Context, raw: BodyItem[], source: string) {
    // Each item is checked and stored on its own: one bad item is reported and the rest are still stored.
    const now = Date.now();
    const checked: Array<CheckedItem | { error: ItemError }> = raw.map((r) => {
      if (r.error !== undefined) return { error: itemError(ctx, r.error, '') };
      try {
        return deps.service.check(r.value, source, r.at.startsWith('/') ? r.at : '', { now });
      } catch (e) {
        return { error: itemError(ctx, e, r.at) };
      }
    });
    // Items of a type marked sync run their filter chain before they are stored (the service's rule).
    const accepted = await deps.service.accept(checked.filter((c): c is CheckedItem => !('error' in c)));
    let next = 0;
    const results = checked.map((c, index) => {
      if ('error' in c) return { index, ...c.error };
      const r = accepted[next++]!;
      if (r.kind === 'failed') return { index, ...itemError(ctx, r.error, '') };
      return r.kind === 'progress'
        ? { index, status: 202, type: r.type, state: 'live' }
        : { index, status: r.created ? 202 : 200, id: r.event.id, type: r.event.type, state: r.event.status };
    });
    // A storage failure is the same for every item: its Retry-After goes on the response too.
    const retryAfter = results.reduce((most, r) => Math.max(most, (r as { details?: { retryAfter?: number } }).details?.retryAfter ?? 0), 0);
    if (retryAfter > 0) ctx.set('Retry-After', String(retryAfter));
    for (const r of results) {
      const type = postedType(raw[r.index]!.value);
      if (r.status < 400) deps.metrics.received(type);
      else deps.metrics.rejected(type, (r as ItemError).code);
    }
    const failed = results.filter((r) => r.status >= 400).length;
    ctx.status = 207;
    ctx.body = { accepted: results.length - failed, rejected: failed, results };
  }

  /** An item's error as its batch entry; an unexpected one is logged with the request id, as the error middleware does. */
  function itemError(ctx: Context, e: unknown, at: string): ItemError {
    if (!isHookdError(e) && !toStorageError(e)) deps.log.error({ err: e, requestId: ctx.state.requestId }, 'a batch item failed');
    return toItemError(e, at);
  }

  return routes.router;
}

function answerSingle(ctx: Context, result: AcceptResult, wait: boolean): void {
  if (result.kind === 'failed') throw result.error;
  if (result.kind === 'progress') {
    ctx.status = 202;
    ctx.body = { type: result.type, status: 'live' };
  } else if (result.output) {
    // The filter chain ran: its final payload and what each filter hook did.
    ctx.status = 200;
    ctx.body = { id: result.event.id, type: result.event.type, ...result.output };
  } else if (wait) {
    // No filter hook subscribed (nothing ran), or a repeated id: answered in the chain's
    // shape, with the payload as stored and no results.
    const e = result.event;
    const payload = payloadAt(e, 'final');
    ctx.status = 200;
    ctx.body = {
      id: e.id,
      type: e.type,
      payload,
      changed: payloadChanged(payloadAt(e, 'received'), payload),
      results: [],
      ...(result.created ? {} : { duplicate: true }),
    };
  } else if (result.created) {
    ctx.status = 202;
    ctx.body = { id: result.event.id, type: result.event.type, status: result.event.status };
  } else {
    ctx.status = 200;
    ctx.body = presentEvent(result.event);
  }
}

interface ItemError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/** An item's error as its batch entry: HookdErrors as they are, storage failures typed, anything else a bare 500. */
function toItemError(e: unknown, at: string): ItemError {
  const error = asHookdError(e);
  if (!error.expose) return { status: error.status, code: error.code, message: 'internal error; see the daemon log' };
  return { status: error.status, code: error.code, message: at.startsWith('line') ? `${at}: ${error.message}` : error.message, details: error.details };
}

/** An ISO 8601 time parameter as ms since the epoch; undefined when absent. */
function parseTime(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw errors.validation(`query parameter "${name}" must be an ISO 8601 time, not ${JSON.stringify(text)}`, { parameter: name });
  return at;
}

/** ?status=, repeated or comma-separated, each a known status; undefined: any. */
function parseStatuses(values: readonly string[] | undefined): EventStatus[] | undefined {
  if (values === undefined) return undefined;
  const list = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const v of list) {
    if (!(EVENT_STATUSES as readonly string[]).includes(v)) {
      throw errors.validation(`query parameter "status" must be one of ${EVENT_STATUSES.join(', ')}, not ${JSON.stringify(v.slice(0, 64))}`, { parameter: 'status' });
    }
  }
  return list.length > 0 ? [...new Set(list as EventStatus[])] : undefined;
}

/** ?q= trimmed (blank: no search). U+0000 is refused: PostgreSQL refuses it in a text parameter, and stored text never holds it. */
function parseSearchText(q: string | undefined): string | undefined {
  const text = q?.trim();
  if (!text) return undefined;
  if (text.includes('\u0000')) throw errors.validation('query parameter "q" must not contain U+0000', { parameter: 'q' });
  return text;
}

function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw errors.validation('query parameter "cursor" is not one that GET /events returned', { parameter: 'cursor' });
  return Number(match[1]);
}
