// Several daemons on one database: leases on pending events (events.claimed_by and
// claim_expires_at), so that each event's action hooks run on one daemon. A lease names its
// daemon, is renewed while held and released at a stop; an expired one may be taken by another.
import type { Knex } from 'knex';
import { dialectOf } from './dialect.ts';
import { fromRow, PENDING, type EventRecord, type EventRow } from './event-rows.ts';

/** The lease queries of one database: claim, renew, release, and what is left to claim. */
export function createEventClaims(db: Knex) {
  const table = (trx: Knex | Knex.Transaction = db) => trx<EventRow>('events');

  return {
    /**
     * Several daemons on one database: leases pending events to `owner` until `until` and returns
     * the ids it got. A row is taken only while unleased or its lease expired (`now`), checked in
     * the UPDATE itself, so two claimers never both get one; PostgreSQL's claimers pass over rows
     * another is locking (SKIP LOCKED) instead of waiting for them.
     */
    async claim(ids: readonly string[], q: { owner: string; now: number; until: number }): Promise<Set<string>> {
      const got = new Set<string>();
      const claimable = (query: Knex.QueryBuilder) =>
        query.whereRaw(PENDING).andWhere((w) => w.whereNull('claim_expires_at').orWhere('claim_expires_at', '<', q.now));
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const locked = dialectOf(db).skipLocked(claimable(db('events').select('id').whereIn('id', chunk)));
        const rows = (await claimable(table().whereIn('id', locked))
          .update({ claimed_by: q.owner, claim_expires_at: q.until })
          .returning('id')) as Array<{ id: string }>;
        for (const r of rows) got.add(r.id);
      }
      return got;
    },

    /** Extends every lease `owner` holds on a pending event; returns how many. */
    async renewClaims(owner: string, until: number): Promise<number> {
      return table().whereRaw(PENDING).andWhere('claimed_by', owner).whereNotNull('claim_expires_at').update({ claim_expires_at: until });
    },

    /** Gives back `owner`'s leases on pending events (a stop): another daemon may run them at once. */
    async releaseClaims(owner: string): Promise<number> {
      return table().whereRaw(PENDING).andWhere('claimed_by', owner).update({ claimed_by: null, claim_expires_at: null });
    },

    /** Pending events no daemon holds a live lease on, in arrival order: what a daemon may claim. */
    async listClaimable(limit: number, afterSeq: number, now: number): Promise<EventRecord[]> {
      const rows = await table()
        .whereRaw(PENDING)
        .andWhere('seq', '>', afterSeq)
        .andWhere((w) => w.whereNull('claim_expires_at').orWhere('claim_expires_at', '<', now))
        .orderBy('seq')
        .limit(limit);
      return rows.map(fromRow);
    },
  };
}
