// The event service: everything that happens to an event until dispatch takes it. It checks a
// posted item (catalog, schema, progress limits), runs the filter chain of a waiting POST,
// stores business events (group-committed, idempotent by id, with their webhook outbox rows in
// the same commit), decides each event's status, tells the live views and dispatch, publishes
// progress, and raises hookd's own events (hook notices and emits, webhook notices, integration
// bodies with their causation). Its background writes are tracked: idle() and close() see them.
import type { Knex } from 'knex';
import type { Bus } from '../bus.ts';
import type { Catalog } from '../catalog.ts';
import type { EventRecord, EventsStore, EventStatus, InsertResult, NewEvent } from '../db/events-store.ts';
import { createEventWriter } from '../db/event-writer.ts';
import { errors } from '../errors.ts';
import type { JsonLimits } from '../json-bounds.ts';
import type { Logger } from '../log.ts';
import { createTaskTracker } from './background.ts';
import { newEventId } from './event-id.ts';
import { isoTime } from './event-time.ts';
import { createHookNotices, emittedEvents } from './hook-notices.ts';
import { createInputCheck, type CheckedItem, type ProgressLimit } from './input.ts';
import { payloadAt } from './payload.ts';
import type { DispatchPort, FilterChainOutput, OutboxPort, RaisedEvent } from './ports.ts';

export type AcceptResult =
  /** output: the filter chain ran before the event was stored (a waiting POST of a new event). */
  | { kind: 'business'; event: EventRecord; created: boolean; output?: FilterChainOutput }
  | { kind: 'progress'; type: string }
  /** A business event that could not be stored (a full disk, a value that cannot be serialized); the others still were. */
  | { kind: 'failed'; error: unknown };

export interface EventServiceDeps {
  db: Knex;
  store: EventsStore;
  catalog: Catalog;
  bus: Bus;
  log: Logger;
  outbox: OutboxPort;
  dispatch: DispatchPort;
  progress: {
    /** Where progress items go (coalescing, GET /progress, the bus). */
    publish: (item: { type: string; payload: unknown; at: string; bytes: number }) => void;
    /** The largest progress payload, in bytes as JSON (config progress.maxEntrySize). */
    maxBytes: number;
    /** Progress events per producer (config progress.rateLimit); absent: no limit. */
    limit?: ProgressLimit;
  };
  /** What a hook run may emit: hooks.maxEmitDepth and the bounds of an emitted payload. */
  emits: { maxDepth: number; payloadLimits: JsonLimits };
}

export function createEventService(deps: EventServiceDeps) {
  const { dispatch } = deps;
  // Ends the background writes' storage retries at close: what they owed is logged, not kept.
  const closing = new AbortController();
  const background = createTaskTracker();
  const emitRules = { log: deps.log, maxEmitDepth: deps.emits.maxDepth, payloadLimits: deps.emits.payloadLimits };
  const writer = createEventWriter({
    db: deps.db,
    store: deps.store,
    // The outbox rows commit with the event, with its final payload when a filter chain ran.
    afterInsert: async (trx, created) => {
      await deps.outbox.enqueueDeliveries(trx, created.map((e) => ({ event: e, payload: payloadAt(e, 'final') })));
    },
    // From the outbox's cache of enabled endpoints; an endpoint enabled meanwhile is concurrent
    // with these events either way (the transactional path reads the same cache).
    mayWriteAfterInsert: async (events) => {
      for (const type of new Set(events.map((e) => e.type))) if (await deps.outbox.subscribes(type)) return true;
      return false;
    },
  });

  /** A stored event's status: pending while action hooks are owed, else done. */
  const statusAfterFilters = (type: string): EventStatus => (dispatch.hasActionHooks(type) ? 'pending' : 'done');
  const input = createInputCheck({
    catalog: deps.catalog,
    maxProgressBytes: deps.progress.maxBytes,
    progressLimit: deps.progress.limit,
    statusOf: statusAfterFilters,
    hasFilterHooks: (type) => dispatch.hasFilterHooks(type),
  });

  /** Tells the live views and dispatch about newly stored events. */
  function announce(stored: InsertResult[]): void {
    const created = stored.filter((r) => r.created).map((r) => r.event);
    if (created.length === 0) return;
    for (const e of created) {
      // hook.executed is already on the bus (channel "hook") from the run itself.
      if (e.type === 'hook.executed') continue;
      deps.bus.emit('message', { channel: 'event', type: e.type, id: e.id, data: payloadAt(e, 'final'), at: e.occurredAt });
    }
    dispatch.submit(created);
  }

  /**
   * A waiting event: the filter chain runs first, then the event is stored with its final
   * payload and the chain's invocation records, once. A client id seen before (or stored
   * meanwhile by a concurrent request with the same id) answers what was stored, without output.
   */
  async function filterThenStore(event: NewEvent): Promise<AcceptResult> {
    const known = event.generatedId ? undefined : await deps.store.get(event.id);
    if (known) return { kind: 'business', event: known, created: false };
    const { output, also, emits } = await dispatch.runFilterChain(event);
    // What the chain's hooks emitted commits with the event, after it: never without it (a
    // failed or repeated event raises nothing) and never lost to a kill between two commits.
    const now = Date.now();
    const parent = { id: event.id, depth: event.depth, emittedBy: event.emittedBy ?? [] };
    const followers = emits
      .flatMap((run) => emittedEvents(emitRules, run, parent))
      .filter((raised) => {
        if (deps.catalog.get(raised.type)) return true;
        deps.log.warn({ eventId: event.id, type: raised.type }, 'an emitted event was dropped: its type is not in the catalog');
        return false;
      })
      .map((raised) => toNewEvent(raised, now));
    const [stored, ...emitted] = await writer.write([{ ...event, status: statusAfterFilters(event.type), finalPayload: output.payload }], also, followers);
    announce([stored!, ...emitted]);
    return { kind: 'business', ...stored!, ...(stored!.created ? { output } : {}) };
  }

  /**
   * Stores the checked business items (each on its own: one that fails is reported alone; a
   * waiting one after its filter chain) and publishes the progress ones; results in order.
   */
  async function accept(items: CheckedItem[]): Promise<AcceptResult[]> {
    const results = new Map<CheckedItem, AcceptResult>();
    // Waiting items run their chains one by one, before the others are stored.
    for (const item of items) {
      if (item.kind !== 'business' || !item.filterFirst) continue;
      results.set(item, await filterThenStore(item.event).catch((error: unknown) => ({ kind: 'failed' as const, error })));
    }
    const business = items.filter((i): i is Extract<CheckedItem, { kind: 'business' }> => i.kind === 'business' && !results.has(i));
    const outcomes = business.length > 0 ? await writer.writeEach(business.map((i) => i.event)) : [];
    announce(outcomes.flatMap((o) => (o.ok ? [o.result] : [])));
    business.forEach((item, i) => {
      const outcome = outcomes[i]!;
      results.set(item, outcome.ok ? { kind: 'business', ...outcome.result } : { kind: 'failed', error: outcome.error });
    });
    return items.map((item) => {
      if (item.kind === 'business') return results.get(item)!;
      deps.progress.publish({ type: item.type, payload: item.payload, at: item.occurredAt, bytes: item.bytes });
      return { kind: 'progress', type: item.type };
    });
  }

  /**
   * Stores events hookd accepts or raises itself, all in one commit or none: no post-only rules
   * apply and the payload's schema is not enforced (an *arr app's body and the media event
   * derived from it, which the app cannot be told to fix). Ids may be given, so that one can
   * name another as its causation.
   */
  async function raiseAll(inputs: RaisedEvent[]): Promise<InsertResult[]> {
    for (const i of inputs) if (!deps.catalog.get(i.type)) throw errors.unknownEventType(i.type);
    const now = Date.now();
    const stored = await writer.write(inputs.map((i) => toNewEvent(i, now)));
    announce(stored);
    return stored;
  }

  /** An event hookd raises itself (of a type the caller checked is in the catalog), as stored at `now`. */
  function toNewEvent(i: RaisedEvent, now: number): NewEvent {
    return {
      id: i.id ?? newEventId(now),
      generatedId: true,
      type: i.type,
      payload: i.payload,
      status: statusAfterFilters(i.type),
      occurredAt: isoTime(now),
      receivedAt: now,
      source: i.source,
      causationId: i.causationId ?? null,
      depth: i.depth ?? 0,
      emittedBy: i.emittedBy ?? [],
    };
  }

  /** Stores one event hookd raises itself (a webhook notice, a hook's emit). */
  async function raise(event: RaisedEvent): Promise<EventRecord> {
    const [result] = await raiseAll([event]);
    return result!.event;
  }

  const hookRan = createHookNotices({
    bus: deps.bus,
    events: deps.store,
    log: deps.log,
    maxEmitDepth: deps.emits.maxDepth,
    raise,
    storeExecuted: () => deps.outbox.subscribes('hook.executed'),
    payloadLimits: deps.emits.payloadLimits,
    stopSignal: closing.signal,
    background,
  });

  return {
    check: input.check,
    refuseWhileThrottled: input.refuseWhileThrottled,
    accept,
    raise,
    raiseAll,
    /** Dispatch reports each recorded hook run here: its notice and what it emitted are raised. */
    hookRan,
    /** Whether background writes are in flight (hook notices and emits). */
    busy: () => background.size() > 0,
    /** Resolves once no background write is in flight. */
    idle: () => background.drain(),
    /** After the producers stopped: ends storage retries, lets background writes finish, then the writer's last commit. */
    async close(): Promise<void> {
      closing.abort();
      await background.drain();
      await writer.drain();
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;
