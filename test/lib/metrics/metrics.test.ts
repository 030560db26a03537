// createMetrics: the registry and its ports. Labels stay bounded (unknown types and codes fold
// into "other", hook and webhook names past the cap share "other", gone ones lose their series),
// what other parts count is read at scrape time, and a reader that fails never fails a scrape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics, MAX_LABEL_VALUES, type MetricsDeps } from '../../../lib/metrics/index.ts';
import { parsePrometheusText, sampleValue, samplesOf } from '../../helpers/prometheus-text.ts';

function setup(over: Partial<MetricsDeps> = {}) {
  const state = {
    hooks: new Set<string>(),
    webhooks: new Set<string>(),
    owed: 3,
    backlog: { pending: 2, retrying: 1 },
    progress: { received: 10, coalesced: 4, rejected: 1 },
    stream: { clients: 2, dropped: 5 },
  };
  const metrics = createMetrics({
    catalogTypes: ['media.added', 'download.progress'],
    hookNames: async () => state.hooks,
    countOwedEvents: async () => state.owed,
    webhookIds: async () => state.webhooks,
    countBacklog: async () => state.backlog,
    sandbox: {
      stats: () => ({ hostPid: process.pid, hostStarts: 3, inFlight: 0, completed: 0 }),
      ping: async () => ({ pid: process.pid, pools: { default: { threads: 2, queued: 0, completed: 5 }, large: { threads: 1, queued: 0, completed: 0 } } }),
      pingTimeoutMs: 100,
    },
    progressStats: () => state.progress,
    streamStats: () => state.stream,
    ...over,
  });
  const scrape = async () => parsePrometheusText(await metrics.render());
  return { metrics, state, scrape };
}

describe('metrics', () => {
  it('writes strict Prometheus text with every family named hookd_*, the process metrics included', async () => {
    const { scrape } = setup();
    const families = await scrape();
    for (const name of families.keys()) assert.match(name, /^hookd_/);
    assert.ok(families.has('hookd_process_cpu_seconds_total'));
    assert.ok(families.has('hookd_nodejs_eventloop_lag_seconds'));
    for (const family of families.values()) assert.ok(family.help && family.help.length > 10, `${family.name} has a help text`);
  });

  it('counts events by catalog type and code; anything else is "other", however many types are posted', async () => {
    const { metrics, scrape } = setup();
    metrics.events.received('media.added');
    metrics.events.received('media.added');
    for (let i = 0; i < 1_000; i++) metrics.events.rejected(`made.up.${i}`, 'UNKNOWN_EVENT_TYPE');
    metrics.events.rejected({ not: 'a string' }, 'VALIDATION');
    metrics.events.rejected('media.added', 'not a code {"x"}');
    const families = await scrape();
    assert.equal(sampleValue(families, 'hookd_events_received_total', { type: 'media.added' }), 2);
    assert.equal(sampleValue(families, 'hookd_events_rejected_total', { type: 'other', code: 'UNKNOWN_EVENT_TYPE' }), 1_000);
    assert.equal(sampleValue(families, 'hookd_events_rejected_total', { type: 'other', code: 'VALIDATION' }), 1);
    assert.equal(sampleValue(families, 'hookd_events_rejected_total', { type: 'media.added', code: 'other' }), 1);
    assert.equal(samplesOf(families, 'hookd_events_rejected_total').length, 3);
  });

  it('caps hook names at MAX_LABEL_VALUES, folding the rest into "other"', async () => {
    const { metrics, state, scrape } = setup();
    for (let i = 0; i < MAX_LABEL_VALUES + 100; i++) {
      state.hooks.add(`hook-${i}`);
      metrics.observeHookCall({ hook: `hook-${i}`, mode: 'action', status: 'ok', durationMs: 1 });
    }
    const families = await scrape();
    const calls = samplesOf(families, 'hookd_hook_calls_total');
    assert.equal(calls.length, MAX_LABEL_VALUES + 1);
    assert.equal(sampleValue(families, 'hookd_hook_calls_total', { hook: 'other', outcome: 'ok' }), 100);
    assert.equal(sampleValue(families, 'hookd_hook_call_duration_seconds_count', { hook: 'hook-0', mode: 'action' }), 1);
  });

  it('drops a deleted hook\'s series at the next scrape and frees its place', async () => {
    const { metrics, state, scrape } = setup();
    state.hooks.add('kept').add('deleted');
    metrics.observeHookCall({ hook: 'kept', mode: 'filter', status: 'ok', durationMs: 2 });
    metrics.observeHookCall({ hook: 'deleted', mode: 'action', status: 'error', durationMs: 3 });
    assert.equal(sampleValue(await scrape(), 'hookd_hook_calls_total', { hook: 'deleted', outcome: 'error' }), 1);
    state.hooks.delete('deleted');
    const families = await scrape();
    assert.equal(sampleValue(families, 'hookd_hook_calls_total', { hook: 'deleted', outcome: 'error' }), undefined);
    assert.equal(sampleValue(families, 'hookd_hook_call_duration_seconds_count', { hook: 'deleted', mode: 'action' }), undefined);
    assert.equal(sampleValue(families, 'hookd_hook_calls_total', { hook: 'kept', outcome: 'ok' }), 1);
  });

  it('counts webhook attempts by webhook id and outcome, and deliveries that ended; a deleted webhook\'s series go', async () => {
    const { metrics, state, scrape } = setup();
    state.webhooks.add('wh_a').add('wh_b');
    metrics.observeWebhookAttempt({ webhookId: 'wh_a', outcome: 'succeeded', durationMs: 20 });
    metrics.observeWebhookAttempt({ webhookId: 'wh_b', outcome: 'retrying', durationMs: 30 });
    metrics.observeWebhookAttempt({ webhookId: 'wh_b', outcome: 'failed', durationMs: 40 });
    let families = await scrape();
    assert.equal(sampleValue(families, 'hookd_webhook_attempts_total', { webhook: 'wh_b', outcome: 'retrying' }), 1);
    assert.equal(sampleValue(families, 'hookd_webhook_deliveries_total', { webhook: 'wh_b', outcome: 'failed' }), 1);
    assert.equal(sampleValue(families, 'hookd_webhook_deliveries_total', { webhook: 'wh_b', outcome: 'retrying' }), undefined);
    assert.equal(sampleValue(families, 'hookd_webhook_attempt_duration_seconds_count', { webhook: 'wh_b' }), 2);
    assert.equal(sampleValue(families, 'hookd_webhook_deliveries_pending'), 2);
    assert.equal(sampleValue(families, 'hookd_webhook_deliveries_retrying'), 1);
    state.webhooks.delete('wh_b');
    families = await scrape();
    assert.equal(samplesOf(families, 'hookd_webhook_attempts_total').filter((s) => s.labels.webhook === 'wh_b').length, 0);
    assert.equal(sampleValue(families, 'hookd_webhook_attempts_total', { webhook: 'wh_a', outcome: 'succeeded' }), 1);
  });

  it('reads the sandbox, progress and stream counters at scrape time', async () => {
    const { state, scrape } = setup();
    let families = await scrape();
    assert.equal(sampleValue(families, 'hookd_sandbox_host_restarts_total'), 2);
    assert.ok(sampleValue(families, 'hookd_sandbox_host_resident_memory_bytes')! > 1024 * 1024, 'this process\'s RSS');
    assert.equal(sampleValue(families, 'hookd_sandbox_pool_threads', { profile: 'default' }), 2);
    assert.equal(sampleValue(families, 'hookd_sandbox_pool_threads', { profile: 'large' }), 1);
    assert.equal(sampleValue(families, 'hookd_progress_received_total'), 10);
    assert.equal(sampleValue(families, 'hookd_progress_coalesced_total'), 4);
    assert.equal(sampleValue(families, 'hookd_progress_dropped_total'), 1);
    assert.equal(sampleValue(families, 'hookd_sse_clients'), 2);
    assert.equal(sampleValue(families, 'hookd_sse_clients_dropped_total'), 5);
    assert.equal(sampleValue(families, 'hookd_events_pending_dispatch'), 3);
    state.progress = { received: 25, coalesced: 4, rejected: 1 };
    state.owed = 0;
    families = await scrape();
    assert.equal(sampleValue(families, 'hookd_progress_received_total'), 25, 'never counted twice: the value is read');
    assert.equal(sampleValue(families, 'hookd_events_pending_dispatch'), 0);
  });

  it('never fails a scrape when a reader fails: store gauges keep their last value, a silent host has no samples', async () => {
    let broken = false;
    const fail = async (): Promise<never> => {
      throw new Error('SQLITE_BUSY');
    };
    const { scrape } = setup({
      countOwedEvents: async () => (broken ? fail() : 7),
      countBacklog: async () => (broken ? fail() : { pending: 1, retrying: 0 }),
      hookNames: fail,
      webhookIds: fail,
      sandbox: { stats: () => ({ hostPid: undefined, hostStarts: 1, inFlight: 0, completed: 0 }), ping: fail, pingTimeoutMs: 10 },
    });
    await scrape();
    broken = true;
    const families = await scrape();
    assert.equal(sampleValue(families, 'hookd_events_pending_dispatch'), 7);
    assert.equal(sampleValue(families, 'hookd_webhook_deliveries_pending'), 1);
    assert.equal(samplesOf(families, 'hookd_sandbox_pool_threads').length, 0);
    assert.equal(samplesOf(families, 'hookd_sandbox_host_resident_memory_bytes').length, 0);
    assert.equal(sampleValue(families, 'hookd_sandbox_host_restarts_total'), 0);
  });

  it('lets concurrent scrapes share one collection', async () => {
    let reads = 0;
    const { metrics } = setup({ countOwedEvents: async () => ++reads });
    const texts = await Promise.all(Array.from({ length: 20 }, () => metrics.render()));
    assert.equal(reads, 1);
    assert.equal(new Set(texts).size, 1);
  });
});
