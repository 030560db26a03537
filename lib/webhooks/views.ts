// How webhooks, deliveries and attempts look in API answers: camelCase, ISO times, and never
// a secret (a secret is shown once, in the answer that creates or rotates it). The schemas are
// what the OpenAPI document shows; they type what the presenters return.
import type { Static } from 'typebox';
import type { AttemptRecord, DeliverySummary } from '../db/deliveries-store.ts';
import type { WebhookRecord } from '../db/webhooks-store.ts';
import { DATE_TIME, NULLABLE_INTEGER, NULLABLE_STRING } from '../value-schemas.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export const WEBHOOK_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'url', 'events', 'description', 'enabled', 'disabledReason', 'consecutiveFailures', 'headers', 'timeoutMs', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    description: NULLABLE_STRING,
    enabled: { type: 'boolean' },
    disabledReason: NULLABLE_STRING,
    consecutiveFailures: { type: 'integer', minimum: 0 },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    timeoutMs: { ...NULLABLE_INTEGER, description: 'null: webhooks.timeout.' },
    previousSecretExpiresAt: { ...DATE_TIME, description: 'While a rotated-out secret still signs beside the new one.' },
    createdAt: DATE_TIME,
    updatedAt: DATE_TIME,
  },
} as const;

export const ATTEMPT_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: ['at', 'durationMs', 'statusCode', 'responseBody', 'error'],
  properties: {
    at: DATE_TIME,
    durationMs: { type: 'number', minimum: 0 },
    statusCode: { ...NULLABLE_INTEGER, description: 'null when no answer came (network error, timeout, refused).' },
    responseBody: { ...NULLABLE_STRING, description: 'The first bytes of the answer (webhooks.maxResponseBody).' },
    error: NULLABLE_STRING,
  },
} as const;

export const DELIVERY_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'webhookId', 'eventId', 'eventType', 'status', 'lastStatusCode', 'lastError', 'createdAt', 'updatedAt', 'attempts'],
  properties: {
    id: { type: 'string', description: 'Also the webhook-id header of every attempt.' },
    webhookId: { type: 'string' },
    eventId: { type: 'string' },
    eventType: { type: 'string' },
    status: { enum: ['pending', 'succeeded', 'failed'] },
    nextAttemptAt: { ...DATE_TIME, description: 'While pending.' },
    lastStatusCode: NULLABLE_INTEGER,
    lastError: NULLABLE_STRING,
    createdAt: DATE_TIME,
    updatedAt: DATE_TIME,
    body: { description: 'GET /deliveries/:id only: the exact JSON body sent.' },
    attempts: { type: 'array', items: ATTEMPT_VIEW },
  },
} as const;

export type WebhookView = Static<typeof WEBHOOK_VIEW>;
export type DeliveryView = Static<typeof DELIVERY_VIEW>;

export function presentWebhook(w: WebhookRecord, now = Date.now()): WebhookView {
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

export function presentDelivery(d: DeliverySummary & { body?: string }, attempts: AttemptRecord[], options: { body?: boolean } = {}): DeliveryView {
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
    ...(options.body && d.body !== undefined ? { body: JSON.parse(d.body) as unknown } : {}),
    attempts: attempts.map(presentAttempt),
  };
}
