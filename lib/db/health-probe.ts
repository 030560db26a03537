// The database's side of readiness: a write and read back of one row of health_probe, and
// how many pages the file may still grow by (storage.maxSize is SQLite's max_page_count).
import type { Knex } from 'knex';
import { dialectOf, type PageRoom } from './dialect.ts';

export type { PageRoom } from './dialect.ts';

export function createHealthProbe(db: Knex) {
  return {
    /** Writes `nonce` and reads it back through the daemon's one connection; returns what was read. */
    async writeAndRead(nonce: string, now: number): Promise<string | undefined> {
      await db('health_probe').insert({ id: 1, nonce, checked_at: now }).onConflict('id').merge();
      const row = (await db('health_probe').where({ id: 1 }).first('nonce')) as { nonce: string } | undefined;
      return row?.nonce;
    },

    /** Undefined on PostgreSQL: its server, not storage.maxSize, bounds the database. */
    pageRoom: (): Promise<PageRoom | undefined> => dialectOf(db).pageRoom(db),
  };
}

export type HealthProbe = ReturnType<typeof createHealthProbe>;
