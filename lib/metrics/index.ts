// The daemon's Prometheus metrics: the one registry, every hookd_* definition (one file per
// part) and Node's default process metrics, prefixed hookd_ too. Parts get narrow ports
// (observeHookCall, ...); what a part already counts is read when Prometheus scrapes.
// Side effect: prom-client's default collectors (event loop delay, GC) start here.
import { collectDefaultMetrics, Registry } from 'prom-client';
import { defineEventMetrics, type EventMetrics } from './event-metrics.ts';
import { defineHookMetrics, type HookMetrics, type HookMetricsDeps } from './hook-metrics.ts';
import { defineIntegrationMetrics, type IntegrationMetrics } from './integration-metrics.ts';
import { defineLiveMetrics, type LiveMetricsDeps } from './live-metrics.ts';
import { defineSandboxMetrics, type SandboxMetricsDeps } from './sandbox-metrics.ts';
import { defineWebhookMetrics, type WebhookMetrics, type WebhookMetricsDeps } from './webhook-metrics.ts';

export type { EventMetrics } from './event-metrics.ts';
export type { HookCall, HookMetrics } from './hook-metrics.ts';
export type { IntegrationMetrics } from './integration-metrics.ts';
export type { AttemptOutcome, WebhookAttempt, WebhookMetrics } from './webhook-metrics.ts';
export { MAX_LABEL_VALUES, OTHER_LABEL } from './label-cap.ts';

export interface MetricsDeps extends HookMetricsDeps, WebhookMetricsDeps, LiveMetricsDeps {
  sandbox: SandboxMetricsDeps;
  /** Set on every metric as `instance` (several daemons on one database); none when undefined. */
  instanceLabel?: string;
}

export interface Metrics extends HookMetrics, WebhookMetrics {
  events: EventMetrics;
  integrations: IntegrationMetrics;
  /** The Prometheus text exposition format's content type. */
  contentType: string;
  /** Every metric as Prometheus text; concurrent scrapes share one collection. */
  render(): Promise<string>;
}

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  if (deps.instanceLabel !== undefined) registry.setDefaultLabels({ instance: deps.instanceLabel });
  collectDefaultMetrics({ register: registry, prefix: 'hookd_' });
  const events = defineEventMetrics(registry, { catalogTypes: deps.catalogTypes });
  const integrations = defineIntegrationMetrics(registry);
  const hooks = defineHookMetrics(registry, deps);
  const webhooks = defineWebhookMetrics(registry, deps);
  defineSandboxMetrics(registry, deps.sandbox);
  defineLiveMetrics(registry, deps);
  const collect = async () => {
    await Promise.all([hooks.beforeScrape(), webhooks.beforeScrape()]);
    return registry.metrics();
  };
  let rendering: Promise<string> | undefined;
  return {
    events,
    integrations,
    observeHookCall: hooks.observeHookCall,
    observeFilterChain: hooks.observeFilterChain,
    observeWebhookAttempt: webhooks.observeWebhookAttempt,
    contentType: registry.contentType,
    render() {
      rendering ??= collect().finally(() => (rendering = undefined));
      return rendering;
    },
  };
}
