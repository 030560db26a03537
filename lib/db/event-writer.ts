// Event ingestion's writes: concurrent POSTs are group-committed, so an fsync is paid per
// batch of requests instead of per request. `afterInsert` adds rows that must commit with
// the events (the webhook outbox) to the same transaction.
import type { Knex } from 'knex';
import { createGroupCommit } from './group-commit.ts';
import type { EventRecord, EventsStore, InsertResult, NewEvent } from './events-store.ts';

const MAX_EVENTS_PER_COMMIT = 1000;

export interface EventWriterDeps {
  db: Knex;
  store: EventsStore;
  afterInsert?: (trx: Knex.Transaction, created: EventRecord[]) => Promise<void>;
}

export function createEventWriter(deps: EventWriterDeps) {
  const commits = createGroupCommit<NewEvent[], InsertResult[]>({
    maxBatchWeight: MAX_EVENTS_PER_COMMIT,
    weigh: (events) => events.length,
    flush: async (batches) => {
      const results = await deps.db.transaction(async (trx) => {
        const inserted = await deps.store.insertMany(trx, batches.flat());
        const created = inserted.filter((r) => r.created).map((r) => r.event);
        if (created.length > 0) await deps.afterInsert?.(trx, created);
        return inserted;
      });
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
