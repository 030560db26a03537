// Hook calls for events (dry runs are not counted): by hook name and outcome, their durations by
// hook and mode, filter chain durations by event type, and the events whose action hooks are
// still owed. Hook names are capped (LabelCap) and a deleted hook's series go at the next scrape.
import { Counter, Histogram, type Registry } from 'prom-client';
import { createLabelCap, OTHER_LABEL } from './label-cap.ts';
import { gaugeReadAtScrape, type BeforeScrape } from './read-at-scrape.ts';

export interface HookCall {
  hook: string;
  mode: 'filter' | 'action';
  /** The invocation's status: ok, error, timeout, oom, crashed, invalid-result, invalid-output. */
  status: string;
  durationMs: number;
}

export interface HookMetrics {
  observeHookCall(call: HookCall): void;
  observeFilterChain(chain: { type: string; durationMs: number }): void;
}

export interface HookMetricsDeps {
  catalogTypes: readonly string[];
  /** Every hook that exists now, enabled or not: series of other names are dropped at scrape. */
  hookNames: () => Promise<Iterable<string>>;
  /** Stored events whose action hooks have not all run yet. */
  countOwedEvents: () => Promise<number>;
}

const STATUSES = ['ok', 'error', 'timeout', 'oom', 'crashed', 'invalid-result', 'invalid-output'];
const MODES = ['filter', 'action'];
// From a warm module hook (under a millisecond) to a command hook near its timeout.
const CALL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function defineHookMetrics(registry: Registry, deps: HookMetricsDeps): HookMetrics & { beforeScrape: BeforeScrape } {
  const hooks = createLabelCap({
    live: deps.hookNames,
    forget(name) {
      for (const outcome of STATUSES) calls.remove({ hook: name, outcome });
      for (const mode of MODES) durations.remove({ hook: name, mode });
    },
  });
  const knownTypes = new Set(deps.catalogTypes);
  const calls = new Counter({
    name: 'hookd_hook_calls_total',
    help: 'Hook runs for events (dry runs not counted), by hook name (past 500 names: other) and outcome (ok, error, timeout, oom, crashed, invalid-result, invalid-output).',
    labelNames: ['hook', 'outcome'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'hookd_hook_call_duration_seconds',
    help: 'How long hook runs for events took, by hook name (past 500 names: other) and mode (filter or action).',
    labelNames: ['hook', 'mode'] as const,
    buckets: CALL_BUCKETS,
    registers: [registry],
  });
  const chains = new Histogram({
    name: 'hookd_filter_chain_duration_seconds',
    help: 'How long whole filter chains took (POST /events?wait=true, sync types), by event type.',
    labelNames: ['type'] as const,
    buckets: CALL_BUCKETS,
    registers: [registry],
  });
  gaugeReadAtScrape({
    registry,
    name: 'hookd_events_pending_dispatch',
    help: 'Stored events whose action hooks have not all run yet (owed, run after a restart too).',
    read: deps.countOwedEvents,
  });
  return {
    // The series of deleted (or renamed) hooks go before anything is written out.
    beforeScrape: () => hooks.sync(),
    observeHookCall(call) {
      const hook = hooks.label(call.hook);
      calls.inc({ hook, outcome: STATUSES.includes(call.status) ? call.status : OTHER_LABEL });
      durations.observe({ hook, mode: call.mode }, call.durationMs / 1000);
    },
    observeFilterChain(chain) {
      chains.observe({ type: knownTypes.has(chain.type) ? chain.type : OTHER_LABEL }, chain.durationMs / 1000);
    },
  };
}
