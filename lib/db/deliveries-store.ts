// The deliveries (the outbox) and delivery_attempts tables: inserts in the dispatcher's
// transaction, leased claims of due rows, attempt records, state changes and pruning.
// A claim names its daemon (claimed_by), so several daemons on one database renew and release
// only their own leases; PostgreSQL's claimers skip rows another is locking (SKIP LOCKED).
import type { Knex } from 'knex';
import { createDeliveryClaims, type ClaimedDelivery, type ClaimOutcome, type ClaimQuery } from './deliveries-claim.ts';
import {
  fromAttemptRow,
  fromRow,
  readSummaries,
  SUMMARY_COLUMNS,
  type AttemptRecord,
  type AttemptRow,
  type DeliveryChanges,
  type DeliveryRecord,
  type DeliveryRow,
  type DeliveryStatus,
  type DeliverySummary,
  type NewDelivery,
} from './delivery-rows.ts';
import { storableText } from './dialect.ts';

export type { AttemptRecord, DeliveryChanges, DeliveryRecord, DeliveryStatus, DeliverySummary, NewDelivery } from './delivery-rows.ts';
export type { ClaimedDelivery, ClaimOutcome, ClaimQuery, DueDelivery } from './deliveries-claim.ts';
export type { ClaimLimits } from './deliveries-claim-limits.ts';

const CHANGE_COLUMNS: Record<keyof DeliveryChanges, keyof DeliveryRow> = {
  status: 'status',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  claimedUntil: 'claimed_until',
  lastStatusCode: 'last_status_code',
  lastError: 'last_error',
};

export function createDeliveriesStore(db: Knex) {
  const deliveries = (trx: Knex | Knex.Transaction = db) => trx<DeliveryRow>('deliveries');
  const attempts = (trx: Knex | Knex.Transaction = db) => trx<AttemptRow>('delivery_attempts');
  const { claim, claimOrNext, readNextDueAt } = createDeliveryClaims(db);

  return {
    async insertMany(rows: NewDelivery[], trx?: Knex.Transaction): Promise<void> {
      if (rows.length === 0) return;
      const values = rows.map((d) => ({
        id: d.id,
        webhook_id: d.webhookId,
        event_id: d.eventId,
        event_type: d.eventType,
        body: d.body,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: d.nextAttemptAt,
        claimed_until: null,
        last_status_code: d.lastStatusCode ?? null,
        last_error: storableText(d.lastError ?? null),
        created_at: d.createdAt,
        updated_at: d.createdAt,
      }));
      // SQLite allows 999 bound variables per statement: 13 columns a row.
      for (let i = 0; i < values.length; i += 70) await deliveries(trx).insert(values.slice(i, i + 70));
    },

    async get(id: string, trx?: Knex.Transaction): Promise<DeliveryRecord | undefined> {
      const row = await deliveries(trx).where({ id }).first();
      return row && fromRow(row);
    },

    /**
     * Newest first; `before` is the created_at/id cursor of the previous page's last row. Without
     * their bodies (the list shows none): a page of 1000 deliveries of big events read a GiB.
     */
    async listByWebhook(
      webhookId: string,
      q: { limit: number; status?: DeliveryStatus; before?: { createdAt: number; id: string } },
      trx?: Knex.Transaction,
    ): Promise<DeliverySummary[]> {
      let query = deliveries(trx).select(SUMMARY_COLUMNS).where('webhook_id', webhookId).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(q.limit);
      if (q.status) query = query.where('status', q.status);
      const before = q.before;
      if (before) {
        query = query.where((w) =>
          w.where('created_at', '<', before.createdAt).orWhere((x) => x.where('created_at', before.createdAt).andWhere('id', '<', before.id)),
        );
      }
      return readSummaries(query);
    },

    /** One event's deliveries (GET /events/:id), without their bodies: each is the event again. */
    async listByEvent(eventId: string, trx?: Knex.Transaction): Promise<DeliverySummary[]> {
      return readSummaries(deliveries(trx).select(SUMMARY_COLUMNS).where('event_id', eventId).orderBy('created_at'));
    },

    /** Every attempt of the given deliveries, oldest first. */
    async listAttempts(deliveryIds: readonly string[], trx?: Knex.Transaction): Promise<AttemptRecord[]> {
      const out: AttemptRecord[] = [];
      for (let i = 0; i < deliveryIds.length; i += 500) {
        const rows = await attempts(trx).whereIn('delivery_id', deliveryIds.slice(i, i + 500)).orderBy('id');
        out.push(...rows.map(fromAttemptRow));
      }
      return out;
    },

    /** Leases due pending rows of enabled webhooks, in due order; returns what was claimed. */
    async claimDue(q: ClaimQuery): Promise<ClaimedDelivery[]> {
      return (await claim(q, false)).claimed;
    },

    /** claimDue, and when nothing was due, when something next may be: the sender's timer (deliveries-claim.ts). */
    claimDueOrNext: (q: ClaimQuery): Promise<ClaimOutcome> => claimOrNext(q),

    /** When the earliest unclaimed pending row falls due. */
    nextDueAt: (): Promise<number | undefined> => readNextDueAt(),

    /** Pending deliveries (GET /metrics): never attempted yet, and waiting for a retry. */
    async countBacklog(): Promise<{ pending: number; retrying: number }> {
      const row = (await deliveries()
        .where('status', 'pending')
        .select(db.raw('SUM(CASE WHEN attempts = 0 THEN 1 ELSE 0 END) AS pending, SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS retrying'))
        .first()) as { pending: number | string | null; retrying: number | string | null } | undefined;
      return { pending: Number(row?.pending ?? 0), retrying: Number(row?.retrying ?? 0) };
    },

    /** At start on SQLite every lease belongs to a previous run of this daemon (one daemon per file). */
    async releaseAllClaims(): Promise<number> {
      return deliveries().whereNotNull('claimed_until').update({ claimed_until: null, claimed_by: null });
    },

    /**
     * Extends `owner`'s live claims on pending rows to `until`; returns the ids still held. A row
     * missing from the answer was finished, released, or (its lease expired) taken by another daemon.
     */
    async renewClaims(owner: string, until: number): Promise<string[]> {
      const rows = (await deliveries()
        .where('status', 'pending')
        .andWhere('claimed_by', owner)
        .whereNotNull('claimed_until')
        .update({ claimed_until: until })
        .returning('id')) as Array<{ id: string }>;
      return rows.map((r) => r.id);
    },

    /** Gives back every claim `owner` holds (its stop, or a restart under the same instance name). */
    async releaseOwnClaims(owner: string): Promise<number> {
      return deliveries().where('claimed_by', owner).whereNotNull('claimed_until').update({ claimed_until: null });
    },

    /** Gives back the listed rows while `owner` still holds them (never another daemon's claim). */
    async releaseClaims(ids: readonly string[], owner: string): Promise<void> {
      for (let i = 0; i < ids.length; i += 500) {
        await deliveries().whereIn('id', ids.slice(i, i + 500)).andWhere('claimed_by', owner).update({ claimed_until: null });
      }
    },

    async insertAttempt(a: Omit<AttemptRecord, 'id'>, trx?: Knex.Transaction): Promise<void> {
      await this.insertAttempts([a], trx);
    },

    async insertAttempts(list: Array<Omit<AttemptRecord, 'id'>>, trx?: Knex.Transaction): Promise<void> {
      const rows = list.map((a) => ({
        delivery_id: a.deliveryId,
        webhook_id: a.webhookId,
        attempted_at: a.attemptedAt,
        duration_ms: a.durationMs,
        status_code: a.statusCode,
        response_body: storableText(a.responseBody),
        error: storableText(a.error),
      }));
      // 7 columns a row under SQLite's 999 bound variables.
      for (let i = 0; i < rows.length; i += 140) await attempts(trx).insert(rows.slice(i, i + 140));
    },

    /** Applies changes; with `ifStatus`, only while the row still has that status. Returns rows changed. */
    async update(id: string, changes: DeliveryChanges, now: number, trx?: Knex.Transaction, ifStatus?: DeliveryStatus): Promise<number> {
      const row: Partial<DeliveryRow> = { updated_at: now };
      for (const [key, column] of Object.entries(CHANGE_COLUMNS)) {
        const value = changes[key as keyof DeliveryChanges];
        if (value !== undefined) (row as Record<string, unknown>)[column] = typeof value === 'string' ? storableText(value) : value;
      }
      let query = deliveries(trx).where({ id });
      if (ifStatus) query = query.andWhere('status', ifStatus);
      return Number((await query.update(row)) ?? 0);
    },

    /**
     * Marks claimed pending deliveries succeeded, one statement per status code (usually one
     * in all): the common outcome must not cost a statement per delivery. Returns the ids that
     * were no longer pending (failed meanwhile because their endpoint was disabled).
     */
    async markSucceeded(items: Array<{ id: string; statusCode: number }>, now: number, trx: Knex.Transaction): Promise<string[]> {
      const byCode = new Map<number, string[]>();
      for (const i of items) byCode.set(i.statusCode, [...(byCode.get(i.statusCode) ?? []), i.id]);
      let changed = 0;
      for (const [code, ids] of byCode) {
        for (let k = 0; k < ids.length; k += 500) {
          changed += await deliveries(trx)
            .whereIn('id', ids.slice(k, k + 500))
            .andWhere('status', 'pending')
            .update({
              status: 'succeeded',
              attempts: trx.raw('attempts + 1') as unknown as number,
              claimed_until: null,
              last_status_code: code,
              last_error: null,
              updated_at: now,
            });
        }
      }
      if (changed === items.length) return [];
      const ids = items.map((i) => i.id);
      return (await deliveries(trx).whereIn('id', ids).andWhereNot('status', 'succeeded').pluck('id')) as string[];
    },

    /**
     * Fails every pending delivery of a webhook (it was disabled); returns how many. Their leases
     * stay: a row being sent keeps its claim until its attempt is recorded, so a redelivery
     * (reopenFinished) cannot start a second send beside it. Queued rows are given back by their
     * sender (releaseClaims).
     */
    async failPendingForWebhook(webhookId: string, reason: string, now: number, trx?: Knex.Transaction): Promise<number> {
      return deliveries(trx)
        .where({ webhook_id: webhookId, status: 'pending' })
        .update({ status: 'failed', last_error: storableText(reason), updated_at: now });
    },

    /**
     * Makes a finished delivery pending again, due now, with no attempts: a redelivery. Only while
     * no daemon holds a live claim on it (an attempt still being sent); false when it was pending
     * or claimed, in one statement, so two redeliveries or a redelivery and a send cannot race.
     */
    async reopenFinished(id: string, now: number): Promise<boolean> {
      const changed = await deliveries()
        .where({ id })
        .whereNot('status', 'pending')
        .andWhere((w) => w.whereNull('claimed_until').orWhere('claimed_until', '<', now))
        .update({ status: 'pending', attempts: 0, next_attempt_at: now, claimed_until: null, claimed_by: null, updated_at: now });
      return Number(changed ?? 0) > 0;
    },

    async removeForWebhook(webhookId: string, trx?: Knex.Transaction): Promise<void> {
      await attempts(trx).where('webhook_id', webhookId).delete();
      await deliveries(trx).where('webhook_id', webhookId).delete();
    },

    /** Deletes finished deliveries (and their attempts) last changed before `before`. */
    async pruneBefore(before: number): Promise<number> {
      return db.transaction<number>(async (trx) => {
        const old = deliveries(trx).select('id').whereIn('status', ['succeeded', 'failed']).andWhere('updated_at', '<', before);
        await attempts(trx).whereIn('delivery_id', old).delete();
        const removed = await deliveries(trx).whereIn('status', ['succeeded', 'failed']).andWhere('updated_at', '<', before).delete();
        return Number(removed ?? 0);
      });
    },
  };
}

export type DeliveriesStore = ReturnType<typeof createDeliveriesStore>;
