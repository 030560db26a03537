// The outbox: inside the transaction that stores an event (the event service's writer), one
// delivery row per enabled webhook whose patterns match, holding the exact body that will be
// signed and sent.
// Nothing is sent here; the sender is woken once the transaction has committed.
import type { Knex } from 'knex';
import type { DeliveriesStore, NewDelivery } from '../db/deliveries-store.ts';
import type { EventRecord } from '../db/events-store.ts';
import type { WebhookRecord, WebhooksStore } from '../db/webhooks-store.ts';
import { compilePatterns, type EventPattern } from '../event-pattern.ts';
import { newDeliveryId } from './ids.ts';

// Meta events about one endpoint's failures are not sent to that endpoint: it is the one
// failing, and each failed delivery.failed would otherwise raise another one.
const ABOUT_AN_ENDPOINT = new Set(['delivery.failed', 'webhook.disabled']);

export interface OutboxDeps {
  webhooks: WebhooksStore;
  deliveries: DeliveriesStore;
  /** Called after the enqueuing transaction commits (the sender wakes up). */
  onCommitted: () => void;
}

/** The body receivers get: the event with its final, post-filter payload. */
export function renderBody(event: Pick<EventRecord, 'id' | 'type' | 'occurredAt'>, payload: unknown): string {
  return JSON.stringify({ id: event.id, type: event.type, occurredAt: event.occurredAt, payload });
}

export function createOutbox(deps: OutboxDeps) {
  // Compiled patterns per webhook version: matching runs for every dispatched event.
  const matchers = new Map<string, { version: number; matches: EventPattern }>();
  // The enabled endpoints, read once and kept until one changes: without it every stored
  // event paid a query, which halved ingestion throughput. `generation` keeps a load that
  // raced with a change from caching what it read before the change.
  let enabled: WebhookRecord[] | undefined;
  let generation = 0;

  async function enabledWebhooks(trx?: Knex.Transaction): Promise<WebhookRecord[]> {
    if (enabled) return enabled;
    const started = generation;
    const list = await deps.webhooks.listEnabled(trx);
    if (started === generation) enabled = list;
    return list;
  }

  /** Drops what is cached of one endpoint (undefined: of all, when another daemon changed some). */
  function forget(webhookId?: string): void {
    if (webhookId === undefined) matchers.clear();
    else matchers.delete(webhookId);
    enabled = undefined;
    generation += 1;
  }

  function matcherOf(w: WebhookRecord): EventPattern {
    const cached = matchers.get(w.id);
    if (cached?.version === w.version) return cached.matches;
    const matches = compilePatterns(w.events);
    matchers.set(w.id, { version: w.version, matches });
    return matches;
  }

  /**
   * The delivery rows of a commit's events, inserted together: one INSERT per 70 rows rather
   * than one per event (a 500-event POST held the one SQLite connection for 500 round trips,
   * and the sender's claims and attempt records waited behind them).
   */
  async function enqueueDeliveries(trx: Knex.Transaction, items: ReadonlyArray<{ event: EventRecord; payload: unknown }>): Promise<void> {
    const webhooks = await enabledWebhooks(trx);
    const now = Date.now();
    const rows: NewDelivery[] = [];
    for (const { event, payload } of items) {
      const aboutWebhook = ABOUT_AN_ENDPOINT.has(event.type) ? (payload as { webhookId?: unknown })?.webhookId : undefined;
      const targets = webhooks.filter((w) => w.id !== aboutWebhook && matcherOf(w)(event.type));
      if (targets.length === 0) continue;
      const body = renderBody(event, payload);
      for (const w of targets) {
        rows.push({ id: newDeliveryId(), webhookId: w.id, eventId: event.id, eventType: event.type, body, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now });
      }
    }
    if (rows.length === 0) return;
    await deps.deliveries.insertMany(rows, trx);
    trx.executionPromise.then(deps.onCommitted, () => {
      // rolled back: the events stay unstored and these rows never existed
    });
  }

  return {
    enqueueDeliveries,
    forget,
    /** Whether any enabled endpoint subscribes to a type (hook.executed is stored only then). */
    subscribes: async (type: string) => (await enabledWebhooks()).some((w) => matcherOf(w)(type)),
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
