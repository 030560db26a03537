// The event service's writes: concurrent POSTs are group-committed, so an fsync is paid per
// batch of requests instead of per request. `afterInsert` adds rows that must commit with
// the events (the webhook outbox) to the same transaction; a batch that needs neither that
// nor an idempotency lookup commits as a single INSERT (one round trip instead of three).
// Each event is serialized before it joins a commit, and the group commit isolates failures,
// so one event that cannot be stored never fails another client's.
import type { Knex } from 'knex';
import { errors } from '../errors.ts';
import { createGroupCommit } from './group-commit.ts';
import { INSERT_CHUNK, serializeEvent, type EventRecord, type EventsStore, type InsertResult, type NewEvent } from './events-store.ts';

const MAX_EVENTS_PER_COMMIT = 1000;

export interface EventWriterDeps {
  db: Knex;
  store: EventsStore;
  afterInsert?: (trx: Knex.Transaction, created: EventRecord[]) => Promise<void>;
  /**
   * Whether afterInsert could write anything for these events. When it says no, a batch of
   * generated ids commits as one statement without BEGIN/COMMIT. Must err toward true.
   * Absent: assumed true whenever afterInsert is set.
   */
  mayWriteAfterInsert?: (events: NewEvent[]) => Promise<boolean>;
}

/** One event's outcome in writeEach: stored (or found by its id), or why not. */
export type WriteOutcome = { ok: true; result: InsertResult } | { ok: false; error: unknown };

/** Rows written in the events' own transaction, once they are known to be new. */
export type AlsoInTransaction = (trx: Knex.Transaction) => Promise<void>;

interface Write {
  events: NewEvent[];
  also?: AlsoInTransaction;
  /** Stored in the same commit, after `events`, only when one of those is new (what a waiting chain's hooks emitted). */
  followers?: NewEvent[];
}

export function createEventWriter(deps: EventWriterDeps) {
  // The common batch (ids generated here, no outbox rows) needs one statement; idempotent ids
  // need a lookup and outbox rows must commit with their events, so those take a transaction.
  async function commitsAlone(events: NewEvent[]): Promise<boolean> {
    if (events.length > INSERT_CHUNK || !events.every((e) => e.generatedId)) return false;
    if (!deps.afterInsert) return true;
    return deps.mayWriteAfterInsert ? !(await deps.mayWriteAfterInsert(events)) : false;
  }

  async function commit(writes: Write[]): Promise<InsertResult[][]> {
    const events = writes.length === 1 ? writes[0]!.events : writes.flatMap((w) => w.events);
    const split = (results: InsertResult[]) => {
      let offset = 0;
      return writes.map((w) => results.slice(offset, (offset += w.events.length)));
    };
    if (writes.every((w) => !w.also && !w.followers) && (await commitsAlone(events))) return split(await deps.store.insertGenerated(events));
    return deps.db.transaction(async (trx) => {
      const inserted = split(await deps.store.insertMany(trx, events));
      for (const [i, w] of writes.entries()) {
        if (w.followers && inserted[i]!.some((r) => r.created)) inserted[i]!.push(...(await deps.store.insertMany(trx, w.followers)));
      }
      const created = inserted.flat().filter((r) => r.created).map((r) => r.event);
      if (created.length > 0) await deps.afterInsert?.(trx, created);
      for (const [i, w] of writes.entries()) if (w.also && inserted[i]!.some((r) => r.created)) await w.also(trx);
      return inserted;
    });
  }

  const commits = createGroupCommit<Write, InsertResult[]>({
    maxBatchWeight: MAX_EVENTS_PER_COMMIT,
    weigh: (w) => w.events.length,
    flush: commit,
  });

  /** The event with its JSON columns; a value that cannot be serialized is refused as the item's own 422. */
  function prepare(event: NewEvent): NewEvent {
    try {
      return { ...event, columns: serializeEvent(event) };
    } catch (err) {
      throw errors.unstorable((err as Error).message);
    }
  }

  return {
    /**
     * Resolves once the events (and `also`'s rows and the followers, when one of the events is
     * new) are committed, all or none; results in order, the followers' after the events' (none
     * when no event was new).
     */
    async write(events: NewEvent[], also?: AlsoInTransaction, followers?: NewEvent[]): Promise<InsertResult[]> {
      return commits.add({ events: events.map(prepare), also, ...(followers && followers.length > 0 ? { followers: followers.map(prepare) } : {}) });
    },
    /** Commits each event on its own terms (still in shared flushes): one that fails is reported alone. */
    async writeEach(events: NewEvent[]): Promise<WriteOutcome[]> {
      const outcomes: Array<WriteOutcome | Promise<WriteOutcome>> = [];
      const queued: Array<{ slot: number; event: NewEvent }> = [];
      for (const event of events) {
        try {
          queued.push({ slot: outcomes.length, event: prepare(event) });
          outcomes.push({ ok: false, error: undefined }); // replaced below, once queued
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
      commits.addAll(queued.map((q) => ({ events: [q.event] }))).forEach((promise, i) => {
        outcomes[queued[i]!.slot] = promise.then(
          ([result]): WriteOutcome => ({ ok: true, result: result! }),
          (error: unknown): WriteOutcome => ({ ok: false, error }),
        );
      });
      return Promise.all(outcomes);
    },
    drain: () => commits.drain(),
  };
}

export type EventWriter = ReturnType<typeof createEventWriter>;
