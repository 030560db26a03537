// PostgreSQL's claim of due deliveries in one statement: several daemons claim at once (each
// woken by the same notification), so the candidates are locked as they are read (FOR UPDATE
// SKIP LOCKED: daemons claiming together take different rows, none waits and none loses a race
// after reading), the per-endpoint room is applied in SQL, and the claimed rows come back whole.
// When nothing is due, the same statement reads when something next may be.
import type { Knex } from 'knex';
import type { ClaimQuery } from './deliveries-claim-limits.ts';

/**
 * The leased rows (with their webhook's version) in due order, and when nothing was due, the
 * earliest later retry or lease to expire. Rows past an endpoint's room are locked for the
 * statement only; the window numbers each endpoint's candidates in due order, as
 * pickWithinLimits (deliveries-claim-limits.ts) does on SQLite.
 */
export async function claimInOneStatement<Row extends { id: string | null; next_attempt_at: number | string }>(
  db: Knex,
  q: ClaimQuery,
): Promise<{ rows: Array<Row & { webhook_version: number | string }>; nextDueAt?: number }> {
  const { room, skipIds } = q.limits;
  const held = [...room.held];
  const { rows } = (await db.raw(
    `WITH c AS (
       SELECT d.id, d.webhook_id, w.version AS webhook_version, d.next_attempt_at
       FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
       WHERE w.enabled AND d.status = 'pending' AND d.next_attempt_at <= ?
         AND (d.claimed_until IS NULL OR d.claimed_until < ?)
         AND d.webhook_id <> ALL(?::text[]) AND d.id <> ALL(?::text[])
       ORDER BY d.next_attempt_at LIMIT ?
       FOR UPDATE OF d SKIP LOCKED
     ), p AS (
       SELECT c.*, row_number() OVER (PARTITION BY c.webhook_id ORDER BY c.next_attempt_at, c.id) AS n FROM c
     ), h AS (
       SELECT * FROM unnest(?::text[], ?::int[]) AS h(webhook_id, n)
     ), u AS (
       UPDATE deliveries SET claimed_until = ?, claimed_by = ?
       FROM p LEFT JOIN h ON h.webhook_id = p.webhook_id
       WHERE deliveries.id = p.id AND p.n + COALESCE(h.n, 0) <= ?
       RETURNING deliveries.*, p.webhook_version
     )
     SELECT u.*, x.next_due FROM (
       SELECT CASE WHEN EXISTS (SELECT 1 FROM c) THEN NULL ELSE LEAST(
         (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending' AND next_attempt_at > ? AND claimed_until IS NULL),
         (SELECT MIN(GREATEST(claimed_until, next_attempt_at)) FROM deliveries WHERE status = 'pending' AND claimed_until >= ?)
       ) END AS next_due
     ) x LEFT JOIN u ON true`,
    [
      q.now,
      q.now,
      [...q.excludeWebhookIds],
      [...skipIds],
      q.candidates,
      held.map(([id]) => id),
      held.map(([, n]) => n),
      q.leaseUntil,
      q.owner,
      room.max,
      q.now,
      q.now,
    ],
  )) as { rows: Array<Row & { webhook_version: number | string; next_due: number | string | null }> };
  const claimed = rows.filter((r) => r.id !== null);
  // RETURNING's order is unspecified: back to due order.
  claimed.sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at) || (a.id! < b.id! ? -1 : 1));
  const next = rows[0]?.next_due;
  return { rows: claimed, nextDueAt: next == null ? undefined : Number(next) };
}
