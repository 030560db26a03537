// How webhooks, deliveries and attempts look in API answers: camelCase, ISO times, and never
// a secret (a secret is shown once, in the answer that creates or rotates it).
import type { AttemptRecord, DeliveryRecord } from '../db/deliveries-store.ts';
import type { WebhookRecord } from '../db/webhooks-store.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function presentWebhook(w: WebhookRecord, now = Date.now()) {
  const rotating = w.previousSecret !== null && (w.previousSecretExpiresAt ?? 0) > now;
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    description: w.description,
    enabled: w.enabled,
    disabledReason: w.disabledReason,
    consecutiveFailures: w.consecutiveFailures,
    headers: w.headers,
    timeoutMs: w.timeoutMs,
    ...(rotating ? { previousSecretExpiresAt: iso(w.previousSecretExpiresAt!) } : {}),
    createdAt: iso(w.createdAt),
    updatedAt: iso(w.updatedAt),
  };
}

export function presentAttempt(a: AttemptRecord) {
  return {
    at: iso(a.attemptedAt),
    durationMs: a.durationMs,
    statusCode: a.statusCode,
    responseBody: a.responseBody,
    error: a.error,
  };
}

export function presentDelivery(d: DeliveryRecord, attempts: AttemptRecord[], options: { body?: boolean } = {}) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    ...(d.status === 'pending' ? { nextAttemptAt: iso(d.nextAttemptAt) } : {}),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    ...(options.body ? { body: JSON.parse(d.body) as unknown } : {}),
    attempts: attempts.map(presentAttempt),
  };
}
