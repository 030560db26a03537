// The webhook management operations behind the API: create (secret shown once), read, change,
// delete, rotate the secret with a grace period, ping, list deliveries with their attempts,
// and redeliver. Validation is in webhook-input.ts; presentation in views.ts.
import type { Knex } from 'knex';
import type { Catalog } from '../catalog.ts';
import type { Config } from '../config/index.ts';
import { decodeKeyset, encodeKeyset, type KeysetPosition } from '../db/bounded-page.ts';
import type { DeliveriesStore, DeliverySummary, DeliveryStatus } from '../db/deliveries-store.ts';
import type { WebhookChanges, WebhookRecord, WebhooksStore } from '../db/webhooks-store.ts';
import { errors } from '../errors.ts';
import { attemptDelivery, attemptError } from './attempt.ts';
import type { HttpSender } from './http-send.ts';
import { newDeliveryId, newWebhookId } from './ids.ts';
import { renderBody } from './outbox.ts';
import { decideNext } from './retry-policy.ts';
import { checkSecret, generateSecret } from './secret.ts';
import { presentDelivery, presentWebhook } from './views.ts';
import { checkWebhookInput, type NewWebhookInput, type WebhookInput } from './webhook-input.ts';

export const PING_TYPE = 'webhook.ping';

export interface EndpointsDeps {
  db: Knex;
  webhooks: WebhooksStore;
  deliveries: DeliveriesStore;
  http: HttpSender;
  catalog: Catalog;
  config: Config['webhooks'];
  /** Drops what is cached about a webhook (patterns, queued sends) after a change. */
  onChanged: (webhookId: string) => void;
  wakeSender: () => void;
}

export function createEndpoints(deps: EndpointsDeps) {
  const rules = { catalog: deps.catalog, allowPrivateNetworks: deps.config.allowPrivateNetworks };

  async function mustGet(id: string): Promise<WebhookRecord> {
    const w = await deps.webhooks.get(id);
    if (!w) throw errors.notFound('webhook', id);
    return w;
  }

  /**
   * Reads deliveries and their attempts in one transaction: read apart, an attempt committed
   * in between would show beside the delivery's state from before it.
   */
  async function readDeliveries(read: (trx: Knex.Transaction) => Promise<Array<DeliverySummary & { body?: string }>>, options: { body?: boolean } = {}) {
    const [list, attempts] = await deps.db.transaction(async (trx) => {
      const found = await read(trx);
      return [found, await deps.deliveries.listAttempts(found.map((d) => d.id), trx)] as const;
    });
    return list.map((d) => presentDelivery(d, attempts.filter((a) => a.deliveryId === d.id), options));
  }

  async function getDelivery(deliveryId: string) {
    const [found] = await readDeliveries(async (trx) => {
      const d = await deps.deliveries.get(deliveryId, trx);
      return d ? [d] : [];
    }, { body: true });
    if (!found) throw errors.notFound('delivery', deliveryId);
    return found;
  }

  return {
    async create(given: NewWebhookInput) {
      const input = checkWebhookInput(given, rules);
      const secret = input.secret ?? generateSecret();
      const now = Date.now();
      const w = await deps.webhooks.insertUnderCap({
        id: newWebhookId(),
        url: input.url,
        events: input.events,
        secret,
        previousSecret: null,
        previousSecretExpiresAt: null,
        description: input.description ?? null,
        headers: input.headers ?? {},
        timeoutMs: input.timeoutMs ?? null,
        enabled: input.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      }, deps.config.maxEndpoints);
      if (!w) throw errors.limitReached('webhook endpoints', deps.config.maxEndpoints, 'webhooks.maxEndpoints');
      deps.onChanged(w.id); // the outbox caches the enabled endpoints
      // The only answer that carries the secret.
      return { ...presentWebhook(w), secret };
    },

    /**
     * A page of endpoints, oldest first, after `after`; `next` continues (undefined on the last
     * page). Without a limit, as many as may exist (webhooks.maxEndpoints): all, unless bytes cut it.
     */
    async list(page: { limit?: number; maxBytes: number; after?: KeysetPosition }) {
      const { items, more } = await deps.webhooks.listPage({ ...page, limit: page.limit ?? deps.config.maxEndpoints });
      const last = items.at(-1);
      return { items: items.map((w) => presentWebhook(w)), next: more && last ? { n: last.createdAt, s: last.id } : undefined };
    },
    get: async (id: string) => presentWebhook(await mustGet(id)),

    async update(id: string, given: WebhookInput) {
      const before = await mustGet(id);
      const input = checkWebhookInput(given, rules);
      const changes: WebhookChanges = { ...input };
      // Enabling (again) starts the failure count afresh; disabling by hand says so.
      if (input.enabled === true && !before.enabled) Object.assign(changes, { consecutiveFailures: 0, disabledReason: null });
      if (input.enabled === false && before.enabled) changes.disabledReason = 'disabled through the API';
      const now = Date.now();
      const after = await deps.db.transaction(async (trx) => {
        const w = await deps.webhooks.update(id, changes, now, trx);
        if (input.enabled === false && before.enabled) {
          await deps.deliveries.failPendingForWebhook(id, 'not sent: the endpoint was disabled through the API', now, trx);
        }
        return w;
      });
      deps.onChanged(id);
      if (!after) throw errors.notFound('webhook', id);
      return presentWebhook(after);
    },

    async remove(id: string): Promise<void> {
      await mustGet(id);
      await deps.db.transaction(async (trx) => {
        await deps.deliveries.removeForWebhook(id, trx);
        await deps.webhooks.remove(id, trx);
      });
      deps.onChanged(id);
    },

    /** A new secret signs from now on; the old one signs beside it until the grace ends. */
    async rotateSecret(id: string, body: { secret?: string } | undefined) {
      const w = await mustGet(id);
      const given = body?.secret;
      const secret = given === undefined ? generateSecret() : checkSecret(given);
      const now = Date.now();
      const expiresAt = now + deps.config.rotationGraceMs;
      await deps.webhooks.update(id, { secret, previousSecret: w.secret, previousSecretExpiresAt: expiresAt }, now);
      deps.onChanged(id);
      return { id, secret, previousSecretExpiresAt: new Date(expiresAt).toISOString() };
    },

    /** Sends a signed webhook.ping now, logs it as a delivery, and answers the attempt's result. */
    async ping(id: string) {
      const w = await mustGet(id);
      const deliveryId = newDeliveryId();
      const body = renderBody({ id: deliveryId, type: PING_TYPE, occurredAt: new Date().toISOString() }, { webhookId: w.id, message: 'a test delivery from hookd' });
      // Never throws: a header stored before it was checked is an { ok: false, error } answer.
      const { attemptedAt, result } = await attemptDelivery(deps.http, { webhook: w, id: deliveryId, body, eventType: PING_TYPE, timeoutMs: w.timeoutMs ?? deps.config.timeoutMs });
      const ok = decideNext(result, 1, { scheduleMs: [], jitter: 0, maxRetryAfterMs: 0 }).state === 'succeeded';
      const status: DeliveryStatus = ok ? 'succeeded' : 'failed';
      const lastError = ok ? null : attemptError(result);
      // A ping is logged like any delivery but is never retried and never counts toward disabling.
      await deps.db.transaction(async (trx) => {
        await deps.deliveries.insertMany(
          [{ id: deliveryId, webhookId: w.id, eventId: deliveryId, eventType: PING_TYPE, body, status, attempts: 1, nextAttemptAt: attemptedAt, createdAt: attemptedAt, lastStatusCode: result.statusCode ?? null, lastError }],
          trx,
        );
        await deps.deliveries.insertAttempt(
          { deliveryId, webhookId: w.id, attemptedAt, durationMs: result.durationMs, statusCode: result.statusCode ?? null, responseBody: result.statusCode === undefined ? null : result.responseBody, error: result.error ?? null },
          trx,
        );
      });
      return { ok, deliveryId, statusCode: result.statusCode ?? null, durationMs: result.durationMs, responseBody: result.responseBody, error: result.error ?? null };
    },

    async listDeliveries(id: string, q: { limit: number; status?: DeliveryStatus; cursor?: string }) {
      await mustGet(id);
      const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      const items = await readDeliveries((trx) => deps.deliveries.listByWebhook(id, { limit: q.limit, status: q.status, before }, trx));
      const last = items.at(-1);
      const cursor = last && items.length === q.limit ? encodeCursor({ createdAt: Date.parse(last.createdAt), id: last.id }) : null;
      return { items, nextCursor: cursor };
    },

    getDelivery,

    /** Sends a finished delivery again, with the same webhook-id, on a fresh retry schedule. */
    async redeliver(deliveryId: string) {
      const d = await deps.deliveries.get(deliveryId);
      if (!d) throw errors.notFound('delivery', deliveryId);
      if (d.status === 'pending') throw errors.deliveryPending(deliveryId);
      if (d.eventType === PING_TYPE) throw errors.conflict(`delivery "${deliveryId}" is a ping: send a new one with POST /webhooks/${d.webhookId}/test`);
      const w = await mustGet(d.webhookId);
      if (!w.enabled) throw errors.webhookDisabled(w.id);
      if (!(await deps.deliveries.reopenFinished(d.id, Date.now()))) {
        // Made pending meanwhile (another redelivery), or an attempt of it is still being sent
        // (its endpoint was disabled and enabled again during the send).
        const now = await deps.deliveries.get(d.id);
        if (!now) throw errors.notFound('delivery', deliveryId);
        throw now.status === 'pending' ? errors.deliveryPending(deliveryId) : errors.deliveryBeingSent(deliveryId);
      }
      deps.wakeSender();
      return getDelivery(d.id);
    },

    /** The deliveries of one event, for GET /events/:id. */
    async describeEvent(eventId: string) {
      return { deliveries: await readDeliveries((trx) => deps.deliveries.listByEvent(eventId, trx)) };
    },
  };
}

export type Endpoints = ReturnType<typeof createEndpoints>;

// A deliveries page's cursor: the last delivery's createdAt and id (bounded-page.ts's keyset codec).
function encodeCursor(d: { createdAt: number; id: string }): string {
  return encodeKeyset('d', { n: d.createdAt, s: d.id });
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const position = decodeKeyset('d', cursor);
  if (!position) throw errors.validation('query parameter "cursor" is not one that GET /webhooks/:id/deliveries returned', { parameter: 'cursor' });
  return { createdAt: position.n, id: position.s };
}
