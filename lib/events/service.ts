// Event ingestion: checks a posted item against the catalog and its schema, stores business
// events (group-committed), routes progress events to the bus, and tells dispatch.
import { randomUUID } from 'node:crypto';
import type { Static } from 'typebox';
import type { Bus } from '../bus.ts';
import type { Catalog } from '../catalog.ts';
import type { EventRecord, InsertResult, NewEvent } from '../db/events-store.ts';
import type { AlsoInTransaction, EventWriter } from '../db/event-writer.ts';
import { errors, type HookdError } from '../errors.ts';
import { compileOwnSchema } from '../json-schema.ts';
import type { RateLimiter } from '../progress/rate-limit.ts';

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

export type CheckedItem =
  | { kind: 'business'; event: NewEvent }
  /** bytes: the payload's size as JSON, measured once here. */
  | { kind: 'progress'; type: string; payload: unknown; occurredAt: string; bytes: number };

export type AcceptResult =
  | { kind: 'business'; event: EventRecord; created: boolean }
  | { kind: 'progress'; type: string }
  /** A business event that could not be stored (a full disk, a value that cannot be serialized); the others still were. */
  | { kind: 'failed'; error: unknown };

export interface IngestDeps {
  catalog: Catalog;
  writer: EventWriter;
  bus: Bus;
  /** Called with every newly stored business event (dispatch takes the pending ones). */
  onStored?: (events: EventRecord[]) => void;
  /** Where progress items go (coalescing, GET /progress); straight onto the bus when absent. */
  publishProgress?: (item: { type: string; payload: unknown; at: string; bytes: number }) => void;
  /** The largest progress payload, in bytes as JSON (config progress.maxEntrySize); larger ones get 413. */
  maxProgressBytes: number;
  /** Whether any action hook subscribes to a type: events no hook wants are done when stored. */
  hasActionHooks?: (type: string) => boolean;
  /** Whether any filter hook subscribes: without one, a waiting POST has no chain to run. */
  hasFilterHooks?: (type: string) => boolean;
  /** Progress events per producer; checked before the schema so a flood costs little. */
  progressLimit?: { limiter: RateLimiter; ratePerSecond: number };
}

export function createIngest(deps: IngestDeps) {
  // One error object serves every refused item of a producer within the same second: a flood
  // must cost less to refuse than to accept, and building an Error captures a stack.
  let lastLimited: { producer: string; retryAfter: number; until: number; error: HookdError } | undefined;
  function rateLimitedError(producer: string, limit: NonNullable<IngestDeps['progressLimit']>): HookdError {
    const now = Date.now();
    if (lastLimited?.producer === producer && now < lastLimited.until) return lastLimited.error;
    const retryAfter = limit.limiter.retryAfter(producer, now);
    const error = errors.rateLimited(
      `"${producer}" posts more than ${limit.ratePerSecond} progress events per second (config progress.rateLimit)`,
      retryAfter,
    );
    lastLimited = { producer, retryAfter, until: now + 1000, error };
    return error;
  }

  const initialStatus = (type: string) => (deps.hasActionHooks?.(type) ? 'pending' : 'done');

  /**
   * Validates one posted item; `at` prefixes error pointers in a batch ("/3"). With `wait`
   * (or a type marked sync) the event comes back marked filtering: the caller runs its chain
   * and stores it with store(), never with accept().
   */
  function check(raw: unknown, source: string | null, at = '', options: { wait?: boolean } = {}): CheckedItem {
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
    if (type.kind === 'progress' && deps.progressLimit && !deps.progressLimit.limiter.take(source ?? 'anonymous')) {
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
    const occurredAt = checkTime(problemAt('/occurredAt') ? Number.NaN : item.occurredAt, `${at}/occurredAt`);
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
        id: item.id ?? randomUUID(),
        generatedId: item.id === undefined,
        type: type.name,
        payload,
        status: (options.wait || type.sync) && deps.hasFilterHooks?.(type.name) ? 'filtering' : initialStatus(type.name),
        occurredAt,
        receivedAt: Date.now(),
        source,
        causationId: null,
        depth: 0,
      },
    };
  }

  /** Tells the live views and dispatch about newly stored events. */
  function announce(stored: InsertResult[]): void {
    const created = stored.filter((r) => r.created).map((r) => r.event);
    if (created.length === 0) return;
    for (const e of created) {
      // hook.executed is already on the bus (channel "hook") from the run itself.
      if (e.type === 'hook.executed') continue;
      const data = e.finalPayload === undefined ? e.payload : e.finalPayload;
      deps.bus.emit('message', { channel: 'event', type: e.type, id: e.id, data, at: e.occurredAt });
    }
    deps.onStored?.(created);
  }

  /** Stores the business items (each on its own: one that fails is reported alone) and publishes the progress ones. */
  async function accept(items: CheckedItem[]): Promise<AcceptResult[]> {
    const business = items.flatMap((i) => (i.kind === 'business' ? [i.event] : []));
    if (business.some((e) => e.status === 'filtering')) throw new Error('accept() got an event whose filter chain has not run');
    const outcomes = business.length > 0 ? await deps.writer.writeEach(business) : [];
    announce(outcomes.flatMap((o) => (o.ok ? [o.result] : [])));
    let next = 0;
    return items.map((i) => {
      if (i.kind === 'business') {
        const outcome = outcomes[next++]!;
        return outcome.ok ? { kind: 'business', ...outcome.result } : { kind: 'failed', error: outcome.error };
      }
      if (deps.publishProgress) deps.publishProgress({ type: i.type, payload: i.payload, at: i.occurredAt, bytes: i.bytes });
      else deps.bus.emit('message', { channel: 'progress', type: i.type, data: i.payload, at: i.occurredAt });
      return { kind: 'progress', type: i.type };
    });
  }

  /** Stores one checked event whose filter chain already ran, with rows that commit with it. */
  async function store(event: NewEvent, also?: AlsoInTransaction): Promise<InsertResult> {
    const stored = await deps.writer.write([event], also);
    announce(stored);
    return stored[0]!;
  }

  /** Stores an event hookd raises itself (meta events, hook emits): no post-only rules apply. */
  async function record(input: RecordInput): Promise<EventRecord> {
    const [result] = await recordAll([input]);
    return result!.event;
  }

  /**
   * Stores events hookd accepts or raises itself, all in one commit or none: no post-only rules
   * apply and the payload's schema is not enforced (an *arr app's body and the media event
   * derived from it, which the app cannot be told to fix). Ids may be given, so that one can
   * name another as its causation.
   */
  async function recordAll(inputs: RecordInput[]): Promise<InsertResult[]> {
    for (const input of inputs) if (!deps.catalog.get(input.type)) throw errors.unknownEventType(input.type);
    const now = Date.now();
    const stored = await deps.writer.write(
      inputs.map((input) => ({
        id: input.id ?? randomUUID(),
        generatedId: true,
        type: input.type,
        payload: input.payload,
        status: initialStatus(input.type),
        occurredAt: new Date(now).toISOString(),
        receivedAt: now,
        source: input.source,
        causationId: input.causationId ?? null,
        depth: input.depth ?? 0,
        emittedBy: input.emittedBy ?? [],
      })),
    );
    announce(stored);
    return stored;
  }

  /**
   * A producer whose progress allowance is used up is refused before its body is read: a
   * flood must cost less to refuse than to accept (parsing a batch and answering each item
   * would cost more). Its posts are accepted again once its bucket refills.
   */
  function refuseWhileThrottled(source: string): void {
    if (deps.progressLimit?.limiter.exhausted(source)) throw rateLimitedError(source, deps.progressLimit);
  }

  return { check, accept, store, record, recordAll, refuseWhileThrottled };
}

export type Ingest = ReturnType<typeof createIngest>;

/** An event hookd stores on its own account (record, recordAll). */
export interface RecordInput {
  type: string;
  payload: unknown;
  source: string;
  /** A fresh UUID, made by the caller when another event of the same commit names it (causationId). */
  id?: string;
  causationId?: string;
  depth?: number;
  emittedBy?: string[];
}

export type EventInput = Static<typeof EVENT_INPUT_SCHEMA>;
const checkEventShape = compileOwnSchema(EVENT_INPUT_SCHEMA);
const KNOWN_POINTERS = new Set(['', ...Object.keys(EVENT_INPUT_SCHEMA.properties).map((k) => `/${k}`)]);

function checkTime(value: string | number | undefined, pointer: string): string {
  if (value === undefined) return new Date().toISOString();
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw errors.validation('"occurredAt" must be an ISO 8601 time such as "2026-01-31T12:00:00Z"', { pointer });
  }
  return new Date(ms).toISOString();
}
