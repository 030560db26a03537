// Claiming due deliveries: which rows a sender leases, with a lease that names its daemon, and
// (when none is due) when a claim may next find one. On PostgreSQL the sender's claim (with the
// next due time) is one statement (deliveries-claim-postgres.ts); otherwise candidates are read,
// picked within the sender's limits and leased by an UPDATE that checks again that each is
// still due and unclaimed. Both take the limits as the same data (deliveries-claim-limits.ts).
import type { Knex } from 'knex';
import { pickWithinLimits, type ClaimQuery } from './deliveries-claim-limits.ts';
import { claimInOneStatement } from './deliveries-claim-postgres.ts';
import { fromRow, type DeliveryRecord, type DeliveryRow } from './delivery-rows.ts';
import { dialectOf } from './dialect.ts';

export type { ClaimQuery };

/** A due row as the claim first sees it: enough to choose by, without its body. */
export type DueDelivery = Pick<DeliveryRecord, 'id' | 'webhookId'> & {
  /** Its webhook's version when the claim read it: a sender holding that version need not read the webhook again. */
  webhookVersion: number;
};

/** A claimed row, with its webhook's version as the claim saw it. */
export type ClaimedDelivery = DeliveryRecord & Pick<DueDelivery, 'webhookVersion'>;

/** What a claim took, and (when nothing was due) when a claim may next find a row. */
export interface ClaimOutcome {
  claimed: ClaimedDelivery[];
  nextDueAt?: number;
}

interface CandidateRow {
  id: string;
  webhook_id: string;
  webhook_version: number | string;
}

/** The claim queries of one database: `claim` leases due rows, `claimOrNext` also times the next claim. */
export function createDeliveryClaims(db: Knex) {
  const deliveries = (trx: Knex | Knex.Transaction = db) => trx<DeliveryRow>('deliveries');
  const postgres = dialectOf(db).client === 'postgres';

  /** When the earliest unclaimed pending row falls due (the sender's next timer). */
  async function readNextDueAt(trx: Knex | Knex.Transaction = db): Promise<number | undefined> {
    const row = (await deliveries(trx).where('status', 'pending').whereNull('claimed_until').min({ at: 'next_attempt_at' }).first()) as
      | { at: number | null }
      | undefined;
    return row?.at == null ? undefined : Number(row.at);
  }

  /**
   * A claim, and when nothing was due, when a claim may next find a row. On PostgreSQL one
   * statement (deliveries-claim-postgres.ts) that counts other daemons' leases (a dead daemon's
   * rows come due when its lease expires); on SQLite the earliest unclaimed pending row (leases
   * there are this process's and never expire while it runs).
   */
  async function claimOrNext(q: ClaimQuery): Promise<ClaimOutcome> {
    if (!postgres) return claim(q, true);
    const { rows, nextDueAt } = await claimInOneStatement<DeliveryRow>(db, q);
    return { claimed: rows.map((r) => ({ ...fromRow(r), webhookVersion: Number(r.webhook_version) })), nextDueAt };
  }

  /**
   * The candidates are read without their bodies (most are not picked), and the picked rows are
   * leased by one UPDATE … RETURNING that checks again that each is still due and unclaimed, so
   * only claimed rows are read in full. On SQLite both run in one transaction: on its one
   * connection a group commit of attempt records otherwise ran between them, and a claim waited
   * for two commits instead of one. On PostgreSQL they run as two statements: the UPDATE
   * re-checks and locks each row by itself, and BEGIN and COMMIT would double the round trips.
   */
  async function claim(q: ClaimQuery, withNext: boolean): Promise<ClaimOutcome> {
    const due = (query: Knex.QueryBuilder) =>
      query
        .where('deliveries.status', 'pending')
        .andWhere('deliveries.next_attempt_at', '<=', q.now)
        .andWhere((w) => w.whereNull('deliveries.claimed_until').orWhere('deliveries.claimed_until', '<', q.now));
    const inOne = <T>(work: (trx: Knex | Knex.Transaction) => Promise<T>) => (postgres ? work(db) : db.transaction(work));
    return inOne(async (trx) => {
      let candidates = due(deliveries(trx).select('deliveries.id', 'deliveries.webhook_id', { webhook_version: 'webhooks.version' }))
        .join('webhooks', 'webhooks.id', 'deliveries.webhook_id')
        .andWhere('webhooks.enabled', true)
        .orderBy('deliveries.next_attempt_at')
        .limit(q.candidates);
      if (q.excludeWebhookIds.length > 0) candidates = candidates.whereNotIn('deliveries.webhook_id', [...q.excludeWebhookIds]);
      const rows = (await candidates) as CandidateRow[];
      const nextDueAt = withNext && rows.length === 0 ? await readNextDueAt(trx) : undefined;
      const picked = pickWithinLimits(
        rows.map((r) => ({ id: r.id, webhookId: r.webhook_id, webhookVersion: Number(r.webhook_version) })),
        q.limits,
      );
      if (picked.length === 0) return { claimed: [], nextDueAt };
      // The WHERE checks again that each row is still due and unclaimed: of two daemons claiming
      // one row, one gets it (the other's UPDATE re-reads it once the first commits, or skips it).
      const locked = dialectOf(db).skipLocked(due(deliveries(trx).select('id').whereIn('id', picked.map((d) => d.id))));
      const claimed = (await due(deliveries(trx).whereIn('id', locked))
        .update({ claimed_until: q.leaseUntil, claimed_by: q.owner })
        .returning('*')) as DeliveryRow[];
      // RETURNING's order is unspecified: back to due order.
      const byId = new Map(claimed.map((r) => [r.id, fromRow(r)]));
      return {
        claimed: picked.flatMap((d) => {
          const row = byId.get(d.id);
          return row ? [{ ...row, webhookVersion: d.webhookVersion }] : [];
        }),
        nextDueAt,
      };
    });
  }

  return { claim, claimOrNext, readNextDueAt };
}
