// The deliveries (the outbox) and delivery_attempts tables: inserts in the dispatcher's
// transaction, leased claims of due rows, attempt records, state changes and pruning.
// A claim names its daemon (claimed_by), so several daemons on one database renew and release
// only their own leases; PostgreSQL's claimers skip rows another is locking (SKIP LOCKED).
import type { Knex } from 'knex';
import { claimInOneStatement, type EndpointRoom } from './deliveries-claim-postgres.ts';
import { dialectOf, storableText } from './dialect.ts';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  body: string;
  status: DeliveryStatus;
  /** Attempts since the delivery was enqueued or last redelivered: the retry schedule's position. */
  attempts: number;
  nextAttemptAt: number;
  claimedUntil: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface AttemptRecord {
  id: number;
  deliveryId: string;
  webhookId: string;
  attemptedAt: number;
  durationMs: number;
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
}

export type NewDelivery = Omit<DeliveryRecord, 'claimedUntil' | 'lastStatusCode' | 'lastError' | 'updatedAt'> &
  Partial<Pick<DeliveryRecord, 'lastStatusCode' | 'lastError'>>;

export type DeliveryChanges = Partial<
  Pick<DeliveryRecord, 'status' | 'attempts' | 'nextAttemptAt' | 'claimedUntil' | 'lastStatusCode' | 'lastError'>
>;

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  claimed_by?: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

interface AttemptRow {
  id: number;
  delivery_id: string;
  webhook_id: string;
  attempted_at: number;
  duration_ms: number;
  status_code: number | null;
  response_body: string | null;
  error: string | null;
}

/** A delivery as lists show it: everything but its body. */
export type DeliverySummary = Omit<DeliveryRecord, 'body'>;
const SUMMARY_COLUMNS = ['id', 'webhook_id', 'event_id', 'event_type', 'status', 'attempts', 'next_attempt_at', 'claimed_until', 'last_status_code', 'last_error', 'created_at', 'updated_at'];

const summaryOf = (r: Omit<DeliveryRow, 'body'>): DeliverySummary => ({
  id: r.id,
  webhookId: r.webhook_id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: Number(r.next_attempt_at),
  claimedUntil: r.claimed_until === null ? null : Number(r.claimed_until),
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
const fromRow = (r: DeliveryRow): DeliveryRecord => ({ ...summaryOf(r), body: r.body });
const readSummaries = async (query: Knex.QueryBuilder): Promise<DeliverySummary[]> => ((await query) as Array<Omit<DeliveryRow, 'body'>>).map(summaryOf);

const fromAttemptRow = (r: AttemptRow): AttemptRecord => ({
  id: r.id,
  deliveryId: r.delivery_id,
  webhookId: r.webhook_id,
  attemptedAt: Number(r.attempted_at),
  durationMs: r.duration_ms,
  statusCode: r.status_code,
  responseBody: r.response_body,
  error: r.error,
});

const CHANGE_COLUMNS: Record<keyof DeliveryChanges, keyof DeliveryRow> = {
  status: 'status',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  claimedUntil: 'claimed_until',
  lastStatusCode: 'last_status_code',
  lastError: 'last_error',
};

/** A due row as the claim first sees it: enough to choose by, without its body. */
export type DueDelivery = Pick<DeliveryRecord, 'id' | 'webhookId'> & {
  /** Its webhook's version when the claim read it: a sender holding that version need not read the webhook again. */
  webhookVersion: number;
};

/** A claimed row, with its webhook's version as the claim saw it. */
export type ClaimedDelivery = DeliveryRecord & Pick<DueDelivery, 'webhookVersion'>;

export interface ClaimQuery {
  /** The claiming daemon's instance id (claimed_by). */
  owner: string;
  now: number;
  leaseUntil: number;
  /** Rows looked at; `pick` chooses which of them to claim. */
  candidates: number;
  excludeWebhookIds: readonly string[];
  /** Chooses among due rows in due order (the per-endpoint limits live in the sender). */
  pick: (due: DueDelivery[]) => DueDelivery[];
  /**
   * The same choice as data, for PostgreSQL's claimDueOrNext (one statement, no callback): each
   * endpoint's room, and the ids `pick` would leave out (held here although their lease may have lapsed).
   */
  limits?: { room: EndpointRoom; skipIds: readonly string[] };
}

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

export function createDeliveriesStore(db: Knex) {
  const deliveries = (trx: Knex | Knex.Transaction = db) => trx<DeliveryRow>('deliveries');
  const attempts = (trx: Knex | Knex.Transaction = db) => trx<AttemptRow>('delivery_attempts');
  const postgres = dialectOf(db).client === 'postgres';

  /** When the earliest unclaimed pending row falls due (the sender's next timer). */
  async function readNextDueAt(trx: Knex | Knex.Transaction = db): Promise<number | undefined> {
    const row = (await deliveries(trx).where('status', 'pending').whereNull('claimed_until').min({ at: 'next_attempt_at' }).first()) as
      | { at: number | null }
      | undefined;
    return row?.at == null ? undefined : Number(row.at);
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
    if (postgres && withNext && q.limits) {
      const { rows, nextDueAt } = await claimInOneStatement<DeliveryRow>(db, { ...q, ...q.limits });
      return { claimed: rows.map((r) => ({ ...fromRow(r), webhookVersion: Number(r.webhook_version) })), nextDueAt };
    }
    const inOne = <T>(work: (trx: Knex | Knex.Transaction) => Promise<T>) => (postgres ? work(db) : db.transaction(work));
    return inOne(async (trx) => {
      let candidates = due(deliveries(trx).select('deliveries.id', 'deliveries.webhook_id', { webhook_version: 'webhooks.version' }))
        .join('webhooks', 'webhooks.id', 'deliveries.webhook_id')
        .andWhere('webhooks.enabled', true)
        .orderBy('deliveries.next_attempt_at')
        .limit(q.candidates);
      if (q.excludeWebhookIds.length > 0) candidates = candidates.whereNotIn('deliveries.webhook_id', [...q.excludeWebhookIds]);
      let rows: CandidateRow[];
      let nextDueAt: number | undefined;
      if (postgres && withNext) {
        // One round trip: the candidates, or (none due) one row with the next due time: the
        // earliest later retry, or the earliest lease to expire. Its index scan starts at now:
        // claimed rows (due earlier) are not read; the leases are read only when nothing is due.
        const read = dialectOf(db).rows<CandidateRow & { next_due: string | number | null }>(
          await db.raw(
            `WITH c AS (?) SELECT id, webhook_id, webhook_version, NULL AS next_due FROM c
             UNION ALL SELECT NULL, NULL, NULL, LEAST(
               (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending' AND next_attempt_at > ? AND claimed_until IS NULL),
               (SELECT MIN(GREATEST(claimed_until, next_attempt_at)) FROM deliveries WHERE status = 'pending' AND claimed_until >= ?)
             ) WHERE NOT EXISTS (SELECT 1 FROM c)`,
            [candidates, q.now, q.now],
          ),
        );
        rows = read.filter((r) => r.id !== null);
        const next = read.find((r) => r.id === null)?.next_due;
        nextDueAt = next == null ? undefined : Number(next);
      } else {
        rows = (await candidates) as CandidateRow[];
        if (withNext && rows.length === 0) nextDueAt = await readNextDueAt(trx);
      }
      const picked = q.pick(rows.map((r) => ({ id: r.id, webhookId: r.webhook_id, webhookVersion: Number(r.webhook_version) })));
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

    /**
     * claimDue, and when nothing was due, when something next may be: the sender's timer. On
     * PostgreSQL read in the claim's own statement, counting other daemons' leases (a dead
     * daemon's rows come due when its lease expires), and with `limits` the whole claim is that
     * one statement (db/deliveries-claim-postgres.ts); on SQLite, the earliest unclaimed pending
     * row (nextDueAt: leases there are this process's and never expire while it runs).
     */
    async claimDueOrNext(q: ClaimQuery): Promise<ClaimOutcome> {
      return claim(q, true);
    },

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

    /** Fails every pending delivery of a webhook (it was disabled); returns how many. */
    async failPendingForWebhook(webhookId: string, reason: string, now: number, trx?: Knex.Transaction): Promise<number> {
      return deliveries(trx)
        .where({ webhook_id: webhookId, status: 'pending' })
        .update({ status: 'failed', last_error: storableText(reason), claimed_until: null, updated_at: now });
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
