// The database's side of readiness: a write and read back of one row of health_probe, and
// how many pages the file may still grow by (storage.maxSize is SQLite's max_page_count).
import type { Knex } from 'knex';

export interface PageRoom {
  pageSize: number;
  /** Pages a write may still use: free pages inside the file plus growth up to max_page_count. */
  pagesLeft: number;
}

export function createHealthProbe(db: Knex) {
  return {
    /** Writes `nonce` and reads it back through the daemon's one connection; returns what was read. */
    async writeAndRead(nonce: string, now: number): Promise<string | undefined> {
      await db('health_probe').insert({ id: 1, nonce, checked_at: now }).onConflict('id').merge();
      const row = (await db('health_probe').where({ id: 1 }).first('nonce')) as { nonce: string } | undefined;
      return row?.nonce;
    },

    async pageRoom(): Promise<PageRoom> {
      const [row] = (await db.raw(
        'SELECT * FROM pragma_page_count(), pragma_freelist_count(), pragma_max_page_count(), pragma_page_size()',
      )) as Array<{ page_count: number; freelist_count: number; max_page_count: number; page_size: number }>;
      const r = row!;
      return { pageSize: r.page_size, pagesLeft: Math.max(0, r.max_page_count - r.page_count) + r.freelist_count };
    },
  };
}

export type HealthProbe = ReturnType<typeof createHealthProbe>;
