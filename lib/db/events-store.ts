// The events table: inserts (events-insert.ts), reads, the cursor-paginated listing and its
// search (events-listing.ts), several daemons' leases (events-claim.ts), status changes and
// pruning. One store, composed of those parts, so callers see one surface; returns plain records.
import type { Knex } from 'knex';
import { createEventClaims } from './events-claim.ts';
import { createEventInserts } from './events-insert.ts';
import { createEventListing } from './events-listing.ts';
import { fromRow, PENDING, type EventRecord, type EventRow } from './event-rows.ts';

export type { EventRecord, EventStatus } from './event-rows.ts';
export { INSERT_CHUNK, serializeEvent, type EventColumns, type InsertResult, type NewEvent } from './events-insert.ts';
export type { EmittedTree, ListQuery } from './events-listing.ts';

export function createEventsStore(db: Knex) {
  const table = (trx: Knex | Knex.Transaction = db) => trx<EventRow>('events');
  // The parts' methods are the store's own (no wrapper a call): the insert path stays as direct.
  const { insertMany, insertGenerated } = createEventInserts(db);
  const { list, listPage, listEmitted, listAfterSeq } = createEventListing(db);
  const { claim, renewClaims, releaseClaims, listClaimable } = createEventClaims(db);

  return {
    insertMany,
    insertGenerated,

    async get(id: string): Promise<EventRecord | undefined> {
      const row = await table().where({ id }).first();
      return row && fromRow(row);
    },

    list,
    listPage,
    listEmitted,
    listAfterSeq,

    /** Pending events in arrival order: what dispatch still owes (also after a restart). */
    async listPending(limit: number, afterSeq = 0): Promise<EventRecord[]> {
      const rows = await table().whereRaw(PENDING).andWhere('seq', '>', afterSeq).orderBy('seq').limit(limit);
      return rows.map(fromRow);
    },

    /** How many events dispatch still owes (GET /metrics); walks the pending index only. */
    async countPending(): Promise<number> {
      const row = (await table().whereRaw(PENDING).count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },

    claim,
    renewClaims,
    releaseClaims,
    listClaimable,

    async markDone(ids: string[], trx?: Knex.Transaction): Promise<void> {
      const run = async (t: Knex.Transaction) => {
        for (let i = 0; i < ids.length; i += 500) await table(t).whereIn('id', ids.slice(i, i + 500)).update({ status: 'done' });
      };
      await (trx ? run(trx) : db.transaction(run));
    },

    /** Deletes dispatched events received before `before`; returns how many went. */
    async pruneBefore(before: number, trx?: Knex.Transaction): Promise<number> {
      // Events whose action hooks are still owed stay, however old: pruning must lose no work.
      return table(trx).where('received_at', '<', before).andWhere('status', 'done').delete();
    },
  };
}

export type EventsStore = ReturnType<typeof createEventsStore>;
