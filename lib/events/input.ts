// A posted item (a body, a batch item, an NDJSON line) as the API documents it, and its check:
// the shape, the catalog type, the progress rate limit, the type's schema, the time and the id,
// told in that order. Pure apart from the rate limiter's buckets.
import type { Static } from 'typebox';
import type { Catalog } from '../catalog.ts';
import type { EventStatus, NewEvent } from '../db/events-store.ts';
import { errors, type HookdError } from '../errors.ts';
import { compileOwnSchema } from '../own-schema.ts';
import type { RateLimiter } from '../progress/rate-limit.ts';
import { newEventId } from './event-id.ts';
import { isoTime } from './event-time.ts';

/** One posted event (a body, a batch item, an NDJSON line): its shape, as the API documents it. */
export const EVENT_INPUT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', minLength: 1, description: 'An event type of the catalog (GET /catalog), e.g. "media.added".' },
    payload: {
      description:
        "The event's data, any JSON value ({} when left out). Checked at run time against the type's schema in the catalog " +
        '(GET /catalog lists each type with its schema): a mismatch is 422 SCHEMA_VIOLATION.',
    },
    id: {
      type: 'string',
      pattern: '^[\\w.:@-]{1,200}$',
      description: 'Your idempotency key (business events; ignored for progress types): the same id again answers 200 with the stored event.',
    },
    occurredAt: { type: 'string', description: 'An ISO 8601 time such as "2026-01-31T12:00:00Z"; now when left out.' },
  },
} as const;

export type EventInput = Static<typeof EVENT_INPUT_SCHEMA>;

export type CheckedItem =
  /** filterFirst: a waiting POST (or a type marked sync) whose type has filter hooks: the chain runs before it is stored. */
  | { kind: 'business'; event: NewEvent; filterFirst: boolean }
  /** bytes: the payload's size as JSON, measured once here. */
  | { kind: 'progress'; type: string; payload: unknown; occurredAt: string; bytes: number };

/** Progress events per producer; checked before the schema so a flood costs little. */
export interface ProgressLimit {
  limiter: RateLimiter;
  ratePerSecond: number;
}

export interface InputCheckDeps {
  catalog: Catalog;
  /** The largest progress payload, in bytes as JSON (config progress.maxEntrySize); larger ones get 413. */
  maxProgressBytes: number;
  progressLimit?: ProgressLimit;
  /** The status a business event of this type is stored in: pending while action hooks are owed, else done. */
  statusOf: (type: string) => EventStatus;
  hasFilterHooks: (type: string) => boolean;
}

export function createInputCheck(deps: InputCheckDeps) {
  // One error object serves every refused item of a producer within the same second: a flood
  // must cost less to refuse than to accept, and building an Error captures a stack.
  let lastLimited: { producer: string; until: number; error: HookdError } | undefined;
  function rateLimitedError(producer: string, limit: ProgressLimit): HookdError {
    const now = Date.now();
    if (lastLimited?.producer === producer && now < lastLimited.until) return lastLimited.error;
    const error = errors.rateLimited(
      `"${producer}" posts more than ${limit.ratePerSecond} progress events per second (config progress.rateLimit)`,
      limit.limiter.retryAfter(producer, now),
    );
    lastLimited = { producer, until: now + 1000, error };
    return error;
  }

  /**
   * Validates one posted item; `at` prefixes error pointers in a batch ("/3"). With `wait`
   * (or a type marked sync) the event comes back marked filterFirst when a filter hook wants it.
   * `now`: the time the progress rate limit charges the item at, one for a whole batch, so how
   * many of its items pass depends on the bucket alone, not on how long checking them took.
   */
  function check(raw: unknown, source: string | null, at = '', options: { wait?: boolean; now?: number } = {}): CheckedItem {
    // One precompiled check of the shape; its problems are told in the order clients expect
    // (the fields, the type, then the catalog's rules, then the time and the id).
    const problems = checkEventShape(raw);
    const problemAt = (pointer: string) => problems.find((p) => p.pointer === pointer);
    if (problems.length > 0) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw errors.validation(`${at || 'the body'} must be a JSON object with "type" and "payload"`, { pointer: at });
      }
      const unknownField = problems.find((p) => !KNOWN_POINTERS.has(p.pointer));
      if (unknownField !== undefined) {
        const name = unknownField.pointer.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
        throw errors.validation(`unknown field "${name}": an event has type, payload, id and occurredAt`, {
          pointer: `${at}${unknownField.pointer}`,
        });
      }
      if (problemAt('/type')) throw errors.validation('"type" is required: a string such as "media.added"', { pointer: `${at}/type` });
    }
    const item = raw as EventInput;
    const type = deps.catalog.get(item.type);
    if (!type) throw errors.unknownEventType(item.type, `${at}/type`);
    if (type.meta) {
      throw errors.unprocessable(`"${item.type}" is one of hookd's own events and cannot be posted`, {
        pointer: `${at}/type`,
      });
    }
    if (type.kind === 'progress' && deps.progressLimit && !deps.progressLimit.limiter.take(source ?? 'anonymous', options.now)) {
      throw rateLimitedError(source ?? 'anonymous', deps.progressLimit);
    }
    const payload = item.payload === undefined ? {} : item.payload;
    const payloadProblems = deps.catalog.validate(type.name, payload);
    if (payloadProblems.length > 0) {
      throw errors.schemaViolation(
        type.name,
        payloadProblems.map((p) => ({ pointer: `${at}/payload${p.pointer}`, message: p.message })),
      );
    }
    // One clock read: the received time, the time when none was given, and the id's time.
    const receivedAt = Date.now();
    const occurredAt = checkTime(problemAt('/occurredAt') ? Number.NaN : item.occurredAt, `${at}/occurredAt`, receivedAt);
    if (type.kind === 'progress') {
      // Every progress value is held in memory (coalescing, GET /progress): bounded per entry.
      const bytes = Buffer.byteLength(JSON.stringify(payload));
      if (bytes > deps.maxProgressBytes) throw errors.progressTooLarge(bytes, deps.maxProgressBytes, `${at}/payload`);
      return { kind: 'progress', type: type.name, payload, occurredAt, bytes };
    }
    if (problemAt('/id')) {
      throw errors.validation('"id" must be a string of 1-200 letters, digits or . _ : @ -', { pointer: `${at}/id` });
    }
    return {
      kind: 'business',
      event: {
        id: item.id ?? newEventId(receivedAt),
        generatedId: item.id === undefined,
        type: type.name,
        payload,
        status: deps.statusOf(type.name),
        occurredAt,
        receivedAt,
        source,
        causationId: null,
        depth: 0,
      },
      filterFirst: (options.wait === true || type.sync === true) && deps.hasFilterHooks(type.name),
    };
  }

  /**
   * A producer whose progress allowance is used up is refused before its body is read: a
   * flood must cost less to refuse than to accept (parsing a batch and answering each item
   * would cost more). Its posts are accepted again once its bucket refills.
   */
  function refuseWhileThrottled(source: string): void {
    if (deps.progressLimit?.limiter.exhausted(source)) throw rateLimitedError(source, deps.progressLimit);
  }

  return { check, refuseWhileThrottled };
}

const checkEventShape = compileOwnSchema(EVENT_INPUT_SCHEMA);
const KNOWN_POINTERS = new Set(['', ...Object.keys(EVENT_INPUT_SCHEMA.properties).map((k) => `/${k}`)]);

function checkTime(value: string | number | undefined, pointer: string, now: number): string {
  if (value === undefined) return isoTime(now);
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw errors.validation('"occurredAt" must be an ISO 8601 time such as "2026-01-31T12:00:00Z"', { pointer });
  }
  return new Date(ms).toISOString();
}
