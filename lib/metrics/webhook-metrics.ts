// Webhook deliveries by endpoint (the webhook id, never its URL): every attempt's outcome and
// latency, the deliveries that ended, and the backlog read from the store at scrape time.
// Webhook ids are capped (LabelCap) and a deleted webhook's series go at the next scrape.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createLabelCap } from './label-cap.ts';
import type { BeforeScrape } from './read-at-scrape.ts';

export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed';

export interface WebhookAttempt {
  webhookId: string;
  /** What the attempt led to: delivered, another attempt scheduled, or the delivery failed for good. */
  outcome: AttemptOutcome;
  durationMs: number;
}

export interface WebhookMetrics {
  observeWebhookAttempt(attempt: WebhookAttempt): void;
}

export interface WebhookMetricsDeps {
  /** Every webhook that exists now: series of other ids are dropped at scrape. */
  webhookIds: () => Promise<Iterable<string>>;
  /** Deliveries owed: never attempted yet, and attempted and waiting for a retry. */
  countBacklog: () => Promise<{ pending: number; retrying: number }>;
}

const OUTCOMES: AttemptOutcome[] = ['succeeded', 'retrying', 'failed'];
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function defineWebhookMetrics(registry: Registry, deps: WebhookMetricsDeps): WebhookMetrics & { beforeScrape: BeforeScrape } {
  const webhooks = createLabelCap({
    live: deps.webhookIds,
    forget(id) {
      for (const outcome of OUTCOMES) attempts.remove({ webhook: id, outcome });
      for (const outcome of ['succeeded', 'failed']) deliveries.remove({ webhook: id, outcome });
      latency.remove({ webhook: id });
    },
  });
  const attempts = new Counter({
    name: 'hookd_webhook_attempts_total',
    help: 'Webhook delivery attempts, by webhook id (past 500 webhooks: other) and what followed: succeeded (2xx), retrying (failed, another attempt scheduled) or failed (failed for good).',
    labelNames: ['webhook', 'outcome'] as const,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'hookd_webhook_deliveries_total',
    help: 'Webhook deliveries that ended after an attempt, by webhook id (past 500 webhooks: other) and outcome (succeeded or failed).',
    labelNames: ['webhook', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'hookd_webhook_attempt_duration_seconds',
    help: 'How long webhook delivery attempts took, from sending to the end of the (capped) response, by webhook id (past 500 webhooks: other).',
    labelNames: ['webhook'] as const,
    buckets: ATTEMPT_BUCKETS,
    registers: [registry],
  });
  const pending = new Gauge({
    name: 'hookd_webhook_deliveries_pending',
    help: 'Webhook deliveries waiting for their first attempt.',
    registers: [registry],
  });
  const retrying = new Gauge({
    name: 'hookd_webhook_deliveries_retrying',
    help: 'Webhook deliveries that failed at least once and wait for their next attempt.',
    registers: [registry],
  });

  async function readBacklog(): Promise<void> {
    try {
      const backlog = await deps.countBacklog();
      pending.set(backlog.pending);
      retrying.set(backlog.retrying);
    } catch {
      // keep the last values (the failure itself is what /readyz reports)
    }
  }

  return {
    // One store read serves both backlog gauges; the series of deleted webhooks go.
    beforeScrape: async () => void (await Promise.all([webhooks.sync(), readBacklog()])),
    observeWebhookAttempt(a) {
      const webhook = webhooks.label(a.webhookId);
      attempts.inc({ webhook, outcome: a.outcome });
      if (a.outcome !== 'retrying') deliveries.inc({ webhook, outcome: a.outcome });
      latency.observe({ webhook }, a.durationMs / 1000);
    },
  };
}
