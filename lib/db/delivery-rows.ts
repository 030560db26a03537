// The outbox's rows as stored (snake_case columns) and as the rest of hookd reads them: the
// record types, and the mapping from one to the other, shared by the store and its claims.
import type { Knex } from 'knex';

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

export interface DeliveryRow {
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

export interface AttemptRow {
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
export const SUMMARY_COLUMNS = ['id', 'webhook_id', 'event_id', 'event_type', 'status', 'attempts', 'next_attempt_at', 'claimed_until', 'last_status_code', 'last_error', 'created_at', 'updated_at'];

export const summaryOf = (r: Omit<DeliveryRow, 'body'>): DeliverySummary => ({
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
export const fromRow = (r: DeliveryRow): DeliveryRecord => ({ ...summaryOf(r), body: r.body });
export const readSummaries = async (query: Knex.QueryBuilder): Promise<DeliverySummary[]> => ((await query) as Array<Omit<DeliveryRow, 'body'>>).map(summaryOf);

export const fromAttemptRow = (r: AttemptRow): AttemptRecord => ({
  id: r.id,
  deliveryId: r.delivery_id,
  webhookId: r.webhook_id,
  attemptedAt: Number(r.attempted_at),
  durationMs: r.duration_ms,
  statusCode: r.status_code,
  responseBody: r.response_body,
  error: r.error,
});
