// The invocations table: one row per hook run (outcome, duration, error, captured logs),
// read per hook and per event, pruned by age and by a per-hook count.
import type { Knex } from 'knex';
import { readBoundedPage, textBytes } from './bounded-page.ts';

export interface InvocationRecord {
  id: number;
  eventId: string;
  hookId: string;
  hookVersion: number;
  mode: 'filter' | 'action';
  status: string;
  durationMs: number;
  error: { message: string; name?: string; stack?: string; line?: number; column?: number } | null;
  logs: Array<{ level: string; message: string; at: string }>;
  createdAt: number;
}

export type NewInvocation = Omit<InvocationRecord, 'id' | 'createdAt'>;

// A run's stored logs and error, what bounds a page of runs (bounded-page.ts).
const RUN_BYTES = textBytes('logs', 'error');

interface InvocationRow {
  id: number;
  event_id: string;
  hook_id: string;
  hook_version: number;
  mode: 'filter' | 'action';
  status: string;
  duration_ms: number;
  error: string | null;
  logs: string | null;
  dry_run: number | boolean;
  created_at: number;
}

function fromRow(r: InvocationRow): InvocationRecord {
  return {
    id: r.id,
    eventId: r.event_id,
    hookId: r.hook_id,
    hookVersion: r.hook_version,
    mode: r.mode,
    status: r.status,
    durationMs: r.duration_ms,
    error: r.error ? JSON.parse(r.error) : null,
    logs: r.logs ? JSON.parse(r.logs) : [],
    createdAt: Number(r.created_at),
  };
}

export function createInvocationsStore(db: Knex) {
  const table = () => db<InvocationRow>('invocations');
  return {
    /** Inserts in the caller's transaction, or in one of its own. */
    async insertMany(items: NewInvocation[], trx?: Knex.Transaction): Promise<void> {
      if (items.length === 0) return;
      const now = Date.now();
      const rows = items.map((i) => ({
        event_id: i.eventId,
        hook_id: i.hookId,
        hook_version: i.hookVersion,
        mode: i.mode,
        status: i.status,
        duration_ms: i.durationMs,
        error: i.error ? JSON.stringify(i.error) : null,
        logs: JSON.stringify(i.logs),
        created_at: now,
      }));
      // 9 columns a row: 100 rows stay under SQLite's 999 bound variables.
      const write = async (t: Knex.Transaction) => {
        for (let k = 0; k < rows.length; k += 100) await t('invocations').insert(rows.slice(k, k + 100));
      };
      await (trx ? write(trx) : db.transaction(write));
    },
    /**
     * Newest first, before `beforeId`: at most `limit` runs and `maxBytes` of their logs and errors
     * (one run always fits; logs are capped per run by hooks.maxLogSize, which an admin may raise).
     */
    async listForHook(hookId: string, q: { limit: number; maxBytes: number; beforeId?: number }): Promise<{ items: InvocationRecord[]; more: boolean }> {
      let query = table().where({ hook_id: hookId }).orderBy('id', 'desc');
      if (q.beforeId !== undefined) query = query.andWhere('id', '<', q.beforeId);
      const { rows, more } = await readBoundedPage<InvocationRow>(db, query, { key: 'id', size: RUN_BYTES, limit: q.limit, maxBytes: q.maxBytes });
      return { items: rows.map(fromRow), more };
    },
    async listForEvent(eventId: string): Promise<InvocationRecord[]> {
      return (await table().where({ event_id: eventId }).orderBy('id')).map(fromRow);
    },
    async pruneOlderThan(before: number): Promise<number> {
      return table().where('created_at', '<', before).delete();
    },
    /** Keeps the newest `keep` invocations of each hook. */
    async pruneBeyondCount(keep: number): Promise<number> {
      // Portable: a derived table needs an alias on PostgreSQL, and knex's delete returns the count on both.
      const ranked = db('invocations').select('id', db.raw('ROW_NUMBER() OVER (PARTITION BY hook_id ORDER BY id DESC) AS n')).as('ranked');
      return table().whereIn('id', db.select('id').from(ranked).where('n', '>', keep)).delete();
    },
  };
}

export type InvocationsStore = ReturnType<typeof createInvocationsStore>;
