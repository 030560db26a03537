// The database's side of readiness: a write and read back of one row of health_probe, and
// how many pages the file may still grow by (storage.maxSize is SQLite's max_page_count).
import type { Knex } from 'knex';
import { dialectOf, type PageRoom } from './dialect.ts';

export type { PageRoom } from './dialect.ts';

export function createHealthProbe(db: Knex) {
  return {
    /**
     * Writes `nonce` and reads it back; returns what was read. In one transaction: daemons
     * sharing a PostgreSQL database probe the same row, and between a bare write and read another
     * daemon's write would show up as this one's database failing (the upsert's row lock holds
     * the others off until the commit).
     */
    writeAndRead(nonce: string, now: number): Promise<string | undefined> {
      return db.transaction(async (trx) => {
        await trx('health_probe').insert({ id: 1, nonce, checked_at: now }).onConflict('id').merge();
        const row = (await trx('health_probe').where({ id: 1 }).first('nonce')) as { nonce: string } | undefined;
        return row?.nonce;
      });
    },

    /** Undefined on PostgreSQL: its server, not storage.maxSize, bounds the database. */
    pageRoom: (): Promise<PageRoom | undefined> => dialectOf(db).pageRoom(db),
  };
}

export type HealthProbe = ReturnType<typeof createHealthProbe>;
