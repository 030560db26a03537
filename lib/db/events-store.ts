// The events table: inserts (idempotent by id, in one transaction per batch), reads, the
// cursor-paginated listing, status changes and pruning. Returns plain records.
import type { Knex } from 'knex';

export type EventStatus = 'pending' | 'done';

export interface EventRecord {
  seq: number;
  id: string;
  type: string;
  payload: unknown;
  finalPayload: unknown | undefined;
  status: EventStatus;
  occurredAt: string;
  receivedAt: number;
  source: string | null;
  causationId: string | null;
  depth: number;
}

export type NewEvent = Omit<EventRecord, 'seq' | 'finalPayload' | 'status'> & { status?: EventStatus };

export interface InsertResult {
  event: EventRecord;
  created: boolean;
}

interface EventRow {
  seq: number;
  id: string;
  type: string;
  payload: string;
  final_payload: string | null;
  status: EventStatus;
  occurred_at: string;
  received_at: number;
  source: string | null;
  causation_id: string | null;
  depth: number;
}

function fromRow(row: EventRow): EventRecord {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    payload: JSON.parse(row.payload),
    finalPayload: row.final_payload === null ? undefined : JSON.parse(row.final_payload),
    status: row.status,
    occurredAt: row.occurred_at,
    receivedAt: Number(row.received_at),
    source: row.source,
    causationId: row.causation_id,
    depth: row.depth,
  };
}

export interface ListQuery {
  type?: string;
  since?: number;
  afterSeq?: number;
  limit: number;
}

export function createEventsStore(db: Knex) {
  const table = (trx: Knex | Knex.Transaction = db) => trx<EventRow>('events');

  return {
    /** Inserts a batch in one transaction. An id that exists (or repeats in the batch) creates nothing. */
    async insertMany(events: NewEvent[]): Promise<InsertResult[]> {
      return db.transaction(async (trx) => {
        const ids = [...new Set(events.map((e) => e.id))];
        const existing = new Map<string, EventRecord>();
        for (let i = 0; i < ids.length; i += 500) {
          const rows = await table(trx).whereIn('id', ids.slice(i, i + 500));
          for (const row of rows) existing.set(row.id, fromRow(row));
        }
        const results: InsertResult[] = [];
        for (const e of events) {
          const known = existing.get(e.id);
          if (known) {
            results.push({ event: known, created: false });
            continue;
          }
          const status = e.status ?? 'pending';
          const [seq] = await table(trx).insert({
            id: e.id,
            type: e.type,
            payload: JSON.stringify(e.payload),
            status,
            occurred_at: e.occurredAt,
            received_at: e.receivedAt,
            source: e.source,
            causation_id: e.causationId,
            depth: e.depth,
          });
          const event: EventRecord = { ...e, seq: seq as number, status, finalPayload: undefined };
          existing.set(e.id, event);
          results.push({ event, created: true });
        }
        return results;
      });
    },

    async get(id: string): Promise<EventRecord | undefined> {
      const row = await table().where({ id }).first();
      return row && fromRow(row);
    },

    async list(q: ListQuery): Promise<EventRecord[]> {
      let query = table().orderBy('seq', 'desc').limit(q.limit);
      if (q.type) query = query.where('type', q.type);
      if (q.since !== undefined) query = query.where('received_at', '>=', q.since);
      if (q.afterSeq !== undefined) query = query.where('seq', '<', q.afterSeq);
      return (await query).map(fromRow);
    },

    /** Pending events in arrival order: what dispatch still owes (also after a restart). */
    async listPending(limit: number, afterSeq = 0): Promise<EventRecord[]> {
      const rows = await table().where('status', 'pending').andWhere('seq', '>', afterSeq).orderBy('seq').limit(limit);
      return rows.map(fromRow);
    },

    async setFinalPayload(id: string, payload: unknown, trx?: Knex.Transaction): Promise<void> {
      await table(trx).where({ id }).update({ final_payload: JSON.stringify(payload) });
    },

    async markDone(id: string, trx?: Knex.Transaction): Promise<void> {
      await table(trx).where({ id }).update({ status: 'done' });
    },

    /** Deletes events received before `before`; returns their ids so dependants can go too. */
    async pruneBefore(before: number, trx?: Knex.Transaction): Promise<number> {
      return table(trx).where('received_at', '<', before).delete();
    },
  };
}

export type EventsStore = ReturnType<typeof createEventsStore>;
