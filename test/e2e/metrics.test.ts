// GET /metrics against the real daemon: who may scrape (the metrics or admin scope, a token made
// by `hookd token create --scope metrics`, or anyone with metrics.public), the text parses
// strictly, and its counters move as events are posted and refused, hooks run (ok and error),
// filter chains run, action hooks are owed, webhooks are delivered, retried and failed, and
// streams open and close. Label values stay bounded: 1000 made-up types are one "other" series.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { parsePrometheusText, sampleValue, samplesOf, type Family } from '../helpers/prometheus-text.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { openStream } from '../lib/progress/sse-reader.ts';

const METRICS_TOKEN = 'test-metrics-token-0123456789';

let d: TestDaemon;
let receiver: WebhookReceiver;
before(async () => {
  receiver = await startWebhookReceiver((req) => ({ status: req.path === '/ok' ? 200 : req.path === '/bad' ? 400 : 503 }));
  d = await startTestDaemon({
    config: {
      auth: {
        tokens: [
          { name: 'test-admin', token: ADMIN_TOKEN, scopes: ['admin'] },
          { name: 'test-producer', token: EVENTS_TOKEN, scopes: ['events'] },
          { name: 'test-scraper', token: METRICS_TOKEN, scopes: ['metrics'] },
        ],
      },
      hooks: { watch: false },
      webhooks: { retrySchedule: ['1h'], timeout: '5s' },
    },
  });
});
after(async () => {
  await d.close();
  await receiver.close();
});

async function scrape(): Promise<Map<string, Family>> {
  const r = await request(d.url, 'GET', '/metrics', undefined, { token: METRICS_TOKEN });
  assert.equal(r.status, 200, r.text);
  return parsePrometheusText(r.text);
}

/** A sample's value, 0 when the series does not exist (yet). */
const valueOf = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels) ?? 0;

const post = (body: unknown, path = '/events') => d.call('POST', path, body, { token: EVENTS_TOKEN });

describe('who may scrape GET /metrics', () => {
  it('needs the metrics or admin scope: none 401, an events token 403, a metrics token and admin 200', async () => {
    const none = await request(d.url, 'GET', '/metrics');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHORIZED');
    const events = await request(d.url, 'GET', '/metrics', undefined, { token: EVENTS_TOKEN });
    assert.equal(events.status, 403);
    assert.equal(events.body.error.code, 'FORBIDDEN');
    assert.match(events.body.error.message, /"metrics" scope/);
    const scraper = await request(d.url, 'GET', '/metrics', undefined, { token: METRICS_TOKEN });
    assert.equal(scraper.status, 200);
    assert.match(scraper.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    assert.equal((await request(d.url, 'GET', '/metrics', undefined, { token: ADMIN_TOKEN })).status, 200);
  });

  it('a metrics token may scrape and nothing else', async () => {
    for (const [method, path] of [['GET', '/events'], ['GET', '/catalog'], ['GET', '/hooks'], ['GET', '/stats']] as const) {
      const r = await request(d.url, method, path, undefined, { token: METRICS_TOKEN });
      assert.equal(r.status, 403, `${method} ${path}`);
    }
    assert.equal((await request(d.url, 'POST', '/events', { type: 'media.added', payload: { title: 'x' } }, { token: METRICS_TOKEN })).status, 403);
  });

  it('`hookd token create --scope metrics` makes a token that can scrape; an unknown scope is a usage error', async () => {
    const made = await runCli(['token', 'create', '--name', 'prometheus', '--scope', 'metrics', '--config', d.configFile]);
    assert.equal(made.status, 0, made.stderr);
    const token = made.stdout.trim();
    assert.equal((await request(d.url, 'GET', '/metrics', undefined, { token })).status, 200);
    assert.equal((await request(d.url, 'GET', '/events', undefined, { token })).status, 403);
    const bad = await runCli(['token', 'create', '--name', 'x', '--scope', 'metric', '--config', d.configFile]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown scope "metric": use events, admin, metrics/);
  });

  it('with metrics.public: true anyone who reaches the port may scrape', async () => {
    const open = await startTestDaemon({ config: { metrics: { public: true }, hooks: { watch: false } } });
    try {
      const r = await request(open.url, 'GET', '/metrics');
      assert.equal(r.status, 200, r.text);
      parsePrometheusText(r.text);
      assert.equal((await request(open.url, 'GET', '/hooks')).status, 401, 'the rest still needs a token');
    } finally {
      await open.close();
    }
  });
});

describe('what GET /metrics shows', () => {
  it('parses as strict Prometheus text: every family hookd_*, with a help text and a type', async () => {
    const families = await scrape();
    for (const family of families.values()) {
      assert.match(family.name, /^hookd_[a-z0-9_]+$/);
      assert.ok(family.help, `${family.name} has a help text`);
      assert.notEqual(family.type, 'untyped', `${family.name} has a type`);
      if (family.type === 'counter') assert.match(family.name, /_total$/, 'counters end in _total');
    }
    for (const name of ['hookd_process_cpu_seconds_total', 'hookd_process_resident_memory_bytes', 'hookd_nodejs_heap_size_used_bytes']) {
      assert.ok(families.has(name), `Node's default metric ${name}`);
    }
  });

  it('counts posted events by type, and refused ones by type and code (single, batch and whole requests)', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) assert.equal((await post({ type: 'media.added', payload: { title: `m${i}` } })).status, 202);
    assert.equal((await post({ type: 'made.up', payload: {} })).status, 422);
    assert.equal((await post({ type: 'media.added', payload: { year: 1 } })).status, 422);
    const malformed = await d.call('POST', '/events', undefined, { token: EVENTS_TOKEN, raw: '{"type":' });
    assert.equal(malformed.status, 400);
    const batch = await post([{ type: 'media.added', payload: { title: 'b' } }, { type: 'made.up.too' }, { type: 'media.added', payload: {} }]);
    assert.equal(batch.status, 207);
    assert.equal((await post({ type: 'download.progress', payload: { downloadId: 'd1', pct: 5 } })).status, 202);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    assert.equal(delta('hookd_events_received_total', { type: 'media.added' }), 4);
    assert.equal(delta('hookd_events_received_total', { type: 'download.progress' }), 1);
    assert.equal(delta('hookd_events_rejected_total', { type: 'other', code: 'UNKNOWN_EVENT_TYPE' }), 2);
    assert.equal(delta('hookd_events_rejected_total', { type: 'media.added', code: 'SCHEMA_VIOLATION' }), 2);
    assert.equal(delta('hookd_events_rejected_total', { type: 'other', code: 'MALFORMED_JSON' }), 1);
  });

  it('keeps labels bounded: 1000 distinct made-up types are one "other" series', async () => {
    const before = await scrape();
    const series = (f: Map<string, Family>) => [...f.values()].reduce((n, family) => n + family.samples.length, 0);
    const batch = Array.from({ length: 1000 }, (_, i) => ({ type: `made.up.type-${i}`, payload: {} }));
    const r = await post(batch);
    assert.equal(r.status, 207);
    assert.equal(r.body.rejected, 1000);
    const after = await scrape();
    assert.equal(
      valueOf(after, 'hookd_events_rejected_total', { type: 'other', code: 'UNKNOWN_EVENT_TYPE' }) - valueOf(before, 'hookd_events_rejected_total', { type: 'other', code: 'UNKNOWN_EVENT_TYPE' }),
      1000,
    );
    assert.ok(series(after) - series(before) <= 1, `the scrape grew by ${series(after) - series(before)} series`);
    for (const family of after.values()) for (const s of family.samples) assert.ok(!Object.values(s.labels).some((v) => v.startsWith('made.up')), `${family.name} has a made-up label`);
  });

  it('counts hook calls by hook and outcome (ok and error) with durations by mode, and filter chains by type; dry runs and deleted hooks do not show', async () => {
    const hook = async (name: string, mode: string, events: string[], source: string) => {
      const r = await d.call('POST', '/hooks', { name, mode, events, source });
      assert.equal(r.status, 201, r.text);
      return r.body.id as string;
    };
    await hook('metrics-ok', 'action', ['download.completed'], 'export default () => {}');
    const failing = await hook('metrics-error', 'action', ['download.completed'], 'export default () => { throw new Error("no") }');
    await hook('metrics-filter', 'filter', ['media.updated'], 'export default () => ({ patch: { seen: true } })');
    for (let i = 0; i < 2; i++) assert.equal((await post({ type: 'download.completed', payload: { title: `d${i}` } })).status, 202);
    await d.daemon.idle();
    const chain = await post({ type: 'media.updated', payload: { title: 'u' } }, '/events?wait=true');
    assert.equal(chain.status, 200, chain.text);
    const dry = await d.call('POST', `/hooks/${failing}/test`, { type: 'download.completed', payload: { title: 'dry' } });
    assert.equal(dry.body.status, 'error');

    const families = await scrape();
    assert.equal(valueOf(families, 'hookd_hook_calls_total', { hook: 'metrics-ok', outcome: 'ok' }), 2);
    assert.equal(valueOf(families, 'hookd_hook_calls_total', { hook: 'metrics-error', outcome: 'error' }), 2, 'the dry run is not counted');
    assert.equal(valueOf(families, 'hookd_hook_calls_total', { hook: 'metrics-filter', outcome: 'ok' }), 1);
    assert.equal(valueOf(families, 'hookd_hook_call_duration_seconds_count', { hook: 'metrics-ok', mode: 'action' }), 2);
    assert.equal(valueOf(families, 'hookd_hook_call_duration_seconds_count', { hook: 'metrics-filter', mode: 'filter' }), 1);
    assert.equal(valueOf(families, 'hookd_filter_chain_duration_seconds_count', { type: 'media.updated' }), 1);

    assert.equal((await d.call('DELETE', `/hooks/${failing}`)).status, 204);
    const later = await scrape();
    const left = [...later.values()].flatMap((f) => f.samples).filter((s) => s.labels.hook === 'metrics-error');
    assert.deepEqual(left, [], 'a deleted hook\'s series are gone');
    assert.equal(valueOf(later, 'hookd_hook_calls_total', { hook: 'metrics-ok', outcome: 'ok' }), 2);
  });

  it('shows events whose action hooks are owed while those hooks run, and none once they are done', async () => {
    const hold = await startWebhookReceiver(() => ({ delayMs: 60_000 })); // answers only when closed
    const { port } = new URL(hold.url);
    const created = await d.call('POST', '/hooks', {
      name: 'metrics-slow',
      mode: 'action',
      events: ['library.scan.completed'],
      timeoutMs: 30_000,
      permissions: { net: [`127.0.0.1:${port}`] },
      source: `export default async (event, ctx) => { await ctx.fetch(${JSON.stringify(hold.url)}); }`,
    });
    assert.equal(created.status, 201, created.text);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await post({ type: 'library.scan.completed', payload: {} })).status, 202);
      // No call can end before the hold server answers: running (one per sandbox thread) or queued, all three are owed.
      await hold.waitFor((requests) => requests.length >= 1);
      assert.equal(valueOf(await scrape(), 'hookd_events_pending_dispatch'), 3);
    } finally {
      await hold.close(); // the hooks' requests fail, the hooks end
    }
    await d.daemon.idle();
    assert.equal(valueOf(await scrape(), 'hookd_events_pending_dispatch'), 0);
    assert.equal(valueOf(await scrape(), 'hookd_hook_calls_total', { hook: 'metrics-slow', outcome: 'error' }), 3);
  });

  it('counts webhook attempts and deliveries by webhook id and outcome, with latency and the backlog, never a URL', async () => {
    const webhook = async (path: string) => {
      const r = await d.call('POST', '/webhooks', { url: `${receiver.url}${path}`, events: ['media.removed'] });
      assert.equal(r.status, 201, r.text);
      return r.body.id as string;
    };
    const ok = await webhook('/ok');
    const bad = await webhook('/bad');
    const later = await webhook('/later');
    for (let i = 0; i < 2; i++) assert.equal((await post({ type: 'media.removed', payload: { title: `r${i}` } })).status, 202);
    const families = await waitFor(async () => {
      const f = await scrape();
      const attempts = (webhookId: string, outcome: string) => valueOf(f, 'hookd_webhook_attempts_total', { webhook: webhookId, outcome });
      return attempts(ok, 'succeeded') === 2 && attempts(bad, 'failed') === 2 && attempts(later, 'retrying') === 2 && f;
    }, 'six recorded attempts');
    assert.equal(valueOf(families, 'hookd_webhook_deliveries_total', { webhook: ok, outcome: 'succeeded' }), 2);
    assert.equal(valueOf(families, 'hookd_webhook_deliveries_total', { webhook: bad, outcome: 'failed' }), 2);
    assert.equal(sampleValue(families, 'hookd_webhook_deliveries_total', { webhook: later, outcome: 'failed' }), undefined, 'still owed');
    assert.equal(valueOf(families, 'hookd_webhook_attempt_duration_seconds_count', { webhook: ok }), 2);
    assert.equal(valueOf(families, 'hookd_webhook_deliveries_retrying'), 2);
    assert.equal(valueOf(families, 'hookd_webhook_deliveries_pending'), 0);
    const text = (await request(d.url, 'GET', '/metrics', undefined, { token: METRICS_TOKEN })).text;
    assert.ok(!text.includes(new URL(receiver.url).port), 'no URL (nor its port) in any label');

    assert.equal((await d.call('DELETE', `/webhooks/${later}`)).status, 204);
    const afterDelete = await scrape();
    assert.deepEqual([...afterDelete.values()].flatMap((f) => f.samples).filter((s) => s.labels.webhook === later), []);
    assert.equal(valueOf(afterDelete, 'hookd_webhook_deliveries_retrying'), 0, 'its deliveries went with it');
  });

  it('shows the sandbox host\'s memory and threads, open streams, and the progress counters /stats shows', async () => {
    const stream = await openStream(d.url, '/stream?types=download.progress', { token: EVENTS_TOKEN });
    try {
      await waitFor(async () => valueOf(await scrape(), 'hookd_sse_clients') === 1, 'one open stream');
      for (let pct = 0; pct < 5; pct++) assert.equal((await post({ type: 'download.progress', payload: { downloadId: 'same', pct } })).status, 202);
      const families = await scrape();
      const stats = (await d.call('GET', '/stats')).body;
      assert.equal(valueOf(families, 'hookd_progress_received_total'), stats.progress.received);
      assert.equal(valueOf(families, 'hookd_progress_coalesced_total'), stats.progress.coalesced);
      assert.equal(valueOf(families, 'hookd_progress_dropped_total'), stats.progress.rejected);
      assert.ok(stats.progress.received >= 6, 'this test\'s five and the earlier one');
      assert.ok(valueOf(families, 'hookd_sandbox_host_resident_memory_bytes') > 10 * 1024 * 1024);
      assert.ok(valueOf(families, 'hookd_sandbox_pool_threads', { profile: 'default' }) >= 1);
      assert.equal(valueOf(families, 'hookd_sandbox_host_restarts_total'), 0);
      assert.equal(samplesOf(families, 'hookd_sse_clients_dropped_total').length, 1);
    } finally {
      stream.close();
    }
    await waitFor(async () => valueOf(await scrape(), 'hookd_sse_clients') === 0, 'the stream to be counted closed');
  });
});
