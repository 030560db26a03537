// The webhooks subsystem's public surface: createWebhooks builds the outbox, the sender, the
// management operations and the prune task from one deps object. Side effects (the sender's
// timers and sockets) start only with start(), called by the composition root. Its notices
// (delivery.failed, webhook.disabled) go to whoever subscribes with onNotice: the event service,
// built after webhooks because its writer commits the outbox rows.
import type { Knex } from 'knex';
import type { Catalog } from '../catalog.ts';
import type { Config } from '../config/index.ts';
import { createDeliveriesStore } from '../db/deliveries-store.ts';
import { createWebhooksStore } from '../db/webhooks-store.ts';
import type { Instance } from '../instance.ts';
import type { Logger } from '../log.ts';
import type { WebhookAttempt } from '../metrics/index.ts';
import type { PruneTask } from '../retention.ts';
import { createEndpoints } from './endpoints.ts';
import { createHttpSender } from './http-send.ts';
import { createOutbox } from './outbox.ts';
import { createOutcomeRecorder } from './outcome-recorder.ts';
import { createSender } from './sender.ts';

export type { Endpoints } from './endpoints.ts';

export interface WebhooksDeps {
  db: Knex;
  log: Logger;
  catalog: Catalog;
  config: Config['webhooks'];
  /** This daemon among others on the database: its claims' name and length. */
  instance: Instance;
  /** Told of every recorded delivery attempt (GET /metrics). */
  observeAttempt: (attempt: WebhookAttempt) => void;
}

export function createWebhooks(deps: WebhooksDeps) {
  const { config, log } = deps;
  // Ends storage retries at stop (an attempt not recorded then is sent again after the restart).
  const stopping = new AbortController();
  const noticeListeners: NoticeListener[] = [];
  const webhooks = createWebhooksStore(deps.db);
  const deliveries = createDeliveriesStore(deps.db);
  const http = createHttpSender({ allowPrivateNetworks: config.allowPrivateNetworks, maxResponseBodyBytes: config.maxResponseBodyBytes });
  const recorder = createOutcomeRecorder({
    db: deps.db,
    deliveries,
    webhooks,
    policy: { scheduleMs: config.retryScheduleMs, jitter: config.jitter, maxRetryAfterMs: config.maxRetryAfterMs },
    disableAfterFailures: config.disableAfterFailures,
    emit: async (m) => {
      if (m.type === 'webhook.disabled') {
        sender.forget(String(m.payload.webhookId));
        outbox.forget(String(m.payload.webhookId));
      }
      for (const listener of noticeListeners) await listener({ type: m.type, payload: m.payload, source: 'webhooks' });
    },
    log,
    stopSignal: stopping.signal,
  });
  const sender = createSender({
    deliveries,
    webhooks,
    http,
    recorder,
    log,
    defaultTimeoutMs: config.timeoutMs,
    maxConcurrency: config.maxConcurrency,
    maxConcurrencyPerEndpoint: config.maxConcurrencyPerEndpoint,
    // Several daemons: hookd_deliveries notifications wake the sender (notified), the poll is a safety net.
    pollIntervalMs: deps.instance.shared ? config.safetyPollMs : config.pollIntervalMs,
    owner: deps.instance.id,
    leaseTtlMs: deps.instance.leaseTtlMs,
    shared: deps.instance.shared,
    observeAttempt: deps.observeAttempt,
  });
  const outbox = createOutbox({ webhooks, deliveries, onCommitted: () => sender.wake() });
  const endpoints = createEndpoints({
    db: deps.db,
    webhooks,
    deliveries,
    http,
    catalog: deps.catalog,
    config,
    onChanged: (id) => {
      outbox.forget(id);
      sender.forget(id);
    },
    wakeSender: () => sender.wake(),
  });
  const pruneTasks: PruneTask[] = [
    { name: 'deliveries', prune: (now) => deliveries.pruneBefore(now - config.deliveryRetentionMs) },
  ];

  return {
    /** The outbox stage: runs inside the transaction that stores the event (the event service's writer). */
    enqueueDeliveries: outbox.enqueueDeliveries,
    subscribes: outbox.subscribes,
    endpoints,
    pruneTasks,
    describeEvent: (eventId: string) => endpoints.describeEvent(eventId),
    /** Subscribes to the notices to store (awaited: a notice is stored before its attempts' batch is done). */
    onNotice(listener: NoticeListener): void {
      noticeListeners.push(listener);
    },
    /** Another daemon changed an endpoint (undefined: some endpoint): what is cached or queued of it is dropped. */
    changedElsewhere(webhookId?: string): void {
      outbox.forget(webhookId);
      if (webhookId !== undefined) sender.forget(webhookId);
    },
    /** PostgreSQL: deliveries became claimable, due at `at` (undefined: claim now). */
    notified: sender.notified,
    start: () => sender.start(),
    async stop(): Promise<void> {
      stopping.abort();
      await sender.stop();
      http.close();
    },
  };
}

/** One of hookd's own events about deliveries, to be stored (delivery.failed, webhook.disabled). */
export type NoticeListener = (notice: { type: string; payload: unknown; source: string }) => Promise<unknown>;

export type Webhooks = ReturnType<typeof createWebhooks>;
