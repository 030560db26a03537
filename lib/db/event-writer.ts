// Event ingestion's writes: concurrent POSTs are group-committed, so an fsync is paid per
// batch of requests instead of per request. `afterInsert` adds rows that must commit with
// the events (the webhook outbox) to the same transaction; a batch that needs neither that
// nor an idempotency lookup commits as a single INSERT (one round trip instead of three).
import type { Knex } from 'knex';
import { createGroupCommit } from './group-commit.ts';
import { INSERT_CHUNK, type EventRecord, type EventsStore, type InsertResult, type NewEvent } from './events-store.ts';

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

export function createEventWriter(deps: EventWriterDeps) {
  // The common batch (ids generated here, no outbox rows) needs one statement; idempotent ids
  // need a lookup and outbox rows must commit with their events, so those take a transaction.
  async function commitsAlone(events: NewEvent[]): Promise<boolean> {
    if (events.length > INSERT_CHUNK || !events.every((e) => e.generatedId)) return false;
    if (!deps.afterInsert) return true;
    return deps.mayWriteAfterInsert ? !(await deps.mayWriteAfterInsert(events)) : false;
  }

  async function commit(events: NewEvent[]): Promise<InsertResult[]> {
    if (await commitsAlone(events)) return deps.store.insertGenerated(events);
    return deps.db.transaction(async (trx) => {
      const inserted = await deps.store.insertMany(trx, events);
      const created = inserted.filter((r) => r.created).map((r) => r.event);
      if (created.length > 0) await deps.afterInsert?.(trx, created);
      return inserted;
    });
  }

  const commits = createGroupCommit<NewEvent[], InsertResult[]>({
    maxBatchWeight: MAX_EVENTS_PER_COMMIT,
    weigh: (events) => events.length,
    flush: async (batches) => {
      const results = await commit(batches.length === 1 ? batches[0]! : batches.flat());
      let offset = 0;
      return batches.map((b) => results.slice(offset, (offset += b.length)));
    },
  });
  return {
    /** Resolves once the events are committed; results are in the order given. */
    write: (events: NewEvent[]) => commits.add(events),
    drain: () => commits.drain(),
  };
}

export type EventWriter = ReturnType<typeof createEventWriter>;
