// Three daemons on one PostgreSQL schema (`hookd serve` child processes, each with its own data
// and hooks dir): events posted round-robin have their action hook run once by one of them and
// each webhook delivery sent once; a kill -9 of one daemon in the middle of a webhook burst and
// of owed hooks loses nothing (its leases expire and the others finish its work). Skipped with
// a message when PostgreSQL is unreachable. Hooks and webhooks are registered before the other
// daemons start: a registry change made later reaches them only at their next reload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import knex from 'knex';
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig, type ChildDaemon } from '../helpers/daemon.ts';
import { request, type Reply } from '../helpers/http.ts';
import { createTestSchema, postgresReachable, shownUrl, type TestSchema } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts';
import { openStream } from '../lib/progress/sse-reader.ts';

const reachable = await postgresReachable();
const call = (d: ChildDaemon, method: string, path: string, body?: unknown): Promise<Reply> => request(d.url, method, path, body, { token: ADMIN_TOKEN });

interface EventView {
  status: string;
  invocations: Array<{ hookId: string; status: string }>;
}

describe('three daemons on one PostgreSQL database', { skip: reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL` }, () => {
  const temp = makeTempDir();
  let schema: TestSchema;
  let receiver: WebhookReceiver;
  const daemons: ChildDaemon[] = [];
  const hookIds: Record<string, string> = {};

  function spawnNode(name: string): Promise<ChildDaemon> {
    const configFile = writeTestConfig(`${temp.dir}/${name}`, {
      log: { level: 'info' },
      // Short leases: a killed daemon's work is taken over within four seconds. Not shorter: a
      // daemon cuts its sends when a renewal (every third of the lease) comes over a third late,
      // and on a loaded machine (CI's too) renewals were seen ~450 ms late: a 2 s lease left
      // ~200 ms to spare, and a cut send that had reached the endpoint is sent again.
      storage: { client: 'postgres', url: schema.url, pool: 4, leaseTtl: '4s', instance: name },
      hooks: { watch: false, actionConcurrency: 1 },
      webhooks: { retrySchedule: ['100ms', '200ms', '400ms'], jitter: 0, pollInterval: '100ms', timeout: '5s', allowPrivateNetworks: true, maxConcurrency: 4, maxConcurrencyPerEndpoint: 2 },
    });
    return spawnDaemon(configFile);
  }

  /** Each event's view, read through a live daemon, once every one is dispatched. */
  async function waitDispatched(via: ChildDaemon, ids: readonly string[]): Promise<Map<string, EventView>> {
    return waitFor(async () => {
      const views = new Map<string, EventView>();
      for (const id of ids) {
        const r = await call(via, 'GET', `/events/${id}`);
        assert.equal(r.status, 200, r.text);
        if (r.body.status !== 'done') return false;
        views.set(id, r.body);
      }
      return views;
    }, `${ids.length} events dispatched`, 60_000);
  }

  /** Requests received per event id (one delivery an event: one webhook subscribes). */
  function receivedByEvent(requests: readonly ReceivedRequest[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of requests) {
      const id = JSON.parse(r.body).id as string;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  async function waitDelivered(via: ChildDaemon, webhookId: string, count: number): Promise<void> {
    await waitFor(async () => {
      const r = await call(via, 'GET', `/webhooks/${webhookId}/deliveries?limit=1000`);
      assert.equal(r.status, 200, r.text);
      const items = r.body.items as Array<{ status: string }>;
      return items.length === count && items.every((d) => d.status === 'succeeded');
    }, `${count} deliveries recorded as succeeded`, 60_000);
  }

  before(async () => {
    schema = await createTestSchema();
    receiver = await startWebhookReceiver(() => undefined);
    daemons.push(await spawnNode('a')); // migrates the schema first
    const a = daemons[0]!;
    for (const [name, type, source] of [
      ['count', 'media.added', 'export default (e, ctx) => { ctx.log.info("ran " + e.id); }'],
      // No timers in the sandbox: a busy wait keeps the daemon's one action slot taken a while.
      ['slow', 'download.completed', 'export default (e, ctx) => { const end = Date.now() + 150; while (Date.now() < end) {} ctx.log.info("ran " + e.id); }'],
    ]) {
      const hook = await call(a, 'POST', '/hooks', { name, mode: 'action', events: [type], source });
      assert.equal(hook.status, 201, hook.text);
      hookIds[name!] = hook.body.id;
    }
    daemons.push(...(await Promise.all([spawnNode('b'), spawnNode('c')])));
  });

  after(async () => {
    for (const d of daemons) {
      if (d.child.exitCode === null && d.child.signalCode === null) {
        d.child.kill('SIGTERM');
        await d.exited;
      }
    }
    await receiver?.close();
    await schema?.drop();
    temp.remove();
  });

  test('events posted round-robin run their action hook exactly once, and each delivery is sent exactly once', async () => {
    const wh = await call(daemons[1]!, 'POST', '/webhooks', { url: `${receiver.url}/round-robin`, events: ['media.added'] });
    assert.equal(wh.status, 201, wh.text);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await call(daemons[i % 3]!, 'POST', '/events', { type: 'media.added', payload: { title: `t${i}` } });
      assert.equal(r.status, 202, r.text);
      ids.push(r.body.id);
    }
    const views = await waitDispatched(daemons[2]!, ids);
    for (const [id, view] of views) {
      const runs = view.invocations.filter((i) => i.hookId === hookIds.count);
      assert.equal(runs.length, 1, `event ${id} ran its action hook ${runs.length} times`);
      assert.equal(runs[0]!.status, 'ok');
    }
    // Every attempt is recorded after its answer: once all are recorded, no send can follow.
    await waitDelivered(daemons[0]!, wh.body.id, ids.length);
    const counts = receivedByEvent(receiver.requests.filter((r) => r.path === '/round-robin'));
    assert.deepEqual(ids.filter((id) => counts.get(id) !== 1), [], 'events delivered other than exactly once');
  });

  test('a hook registered, then disabled, on one daemon, and a webhook added on another, reach the others (NOTIFY, then a periodic check)', async () => {
    const [a, b, c] = daemons as [ChildDaemon, ChildDaemon, ChildDaemon];
    const hook = await call(a, 'POST', '/hooks', { name: 'late', mode: 'action', events: ['download.grabbed'], source: 'export default (e, ctx) => { ctx.log.info("late " + e.id); }' });
    assert.equal(hook.status, 201, hook.text);
    const wh = await call(c, 'POST', '/webhooks', { url: `${receiver.url}/late`, events: ['download.grabbed'] });
    assert.equal(wh.status, 201, wh.text);
    // Each probe is a fresh event posted to b: the first that runs the hook shows b has it.
    const ranOn = async (d: ChildDaemon, title: string): Promise<boolean> => {
      const r = await call(d, 'POST', '/events?wait=true', { type: 'download.grabbed', payload: { title } });
      assert.ok(r.status < 300, r.text);
      const [view] = (await waitDispatched(d, [r.body.id])).values();
      return view!.invocations.some((i) => i.hookId === hook.body.id);
    };
    let probe = 0;
    await waitFor(async () => ranOn(b, `on-${probe++}`), 'the hook registered on a to run on b');
    // The webhook added on c reaches b by its own notification, which may come after the hook's
    // (b wrote no delivery for a probe stored before it knew the endpoint): b's probes go on
    // until one of them is delivered.
    const delivered = () => receiver.requests.some((r) => r.path === '/late');
    await waitFor(async () => delivered() || (await ranOn(b, `wh-${probe++}`), delivered()), 'the webhook added on c to receive an event posted to b');

    const off = await call(a, 'PATCH', `/hooks/${hook.body.id}`, { enabled: false });
    assert.equal(off.status, 200, off.text);
    await waitFor(async () => !(await ranOn(b, `off-${probe++}`)), 'the hook disabled on a to stop running on b');
  });

  test('an SSE client on c sees progress posted to a (one past the NOTIFY limit too), a hook outcome of a run on b, and resumes after an event posted to a', async () => {
    const [a, b, c] = daemons as [ChildDaemon, ChildDaemon, ChildDaemon];
    const first = await call(a, 'POST', '/events', { type: 'media.updated', payload: { title: 'before' } });
    assert.equal(first.status, 202, first.text);
    const s = await openStream(c.url, '/stream?types=download.progress,hook.executed,media.updated', { token: ADMIN_TOKEN, headers: { 'last-event-id': first.body.id } });
    try {
      assert.equal(s.status, 200);
      // Live from here: an event posted to a while the stream is open arrives by NOTIFY.
      const second = await call(a, 'POST', '/events', { type: 'media.updated', payload: { title: 'after' } });
      assert.equal(second.status, 202, second.text);
      await s.waitFor((e) => e.lastEventId === second.body.id);

      const progress = await call(a, 'POST', '/events', { type: 'download.progress', payload: { downloadId: 'cluster-1', pct: 42 } });
      assert.equal(progress.status, 202, progress.text);
      const seen = await s.waitFor((e) => e.event === 'download.progress' && e.json.payload.downloadId === 'cluster-1');
      assert.equal(seen.json.payload.pct, 42);

      // Past 8000 bytes as JSON: NOTIFY cannot carry it, stream_frames does.
      const big = 'p'.repeat(20_000);
      const large = await call(a, 'POST', '/events', { type: 'download.progress', payload: { downloadId: 'cluster-big', note: big } });
      assert.equal(large.status, 202, large.text);
      const bigSeen = await s.waitFor((e) => e.event === 'download.progress' && e.json.payload.downloadId === 'cluster-big');
      assert.equal(bigSeen.json.payload.note, big, 'the large progress value arrives whole');
      // GET /progress on c knows a's latest values too.
      const current = await call(c, 'GET', '/progress?types=download.progress');
      assert.equal(current.status, 200, current.text);
      assert.ok(JSON.stringify(current.body).includes('cluster-big'), current.text.slice(0, 300));

      // A filter chain runs on the daemon the event is posted to (?wait=true): the hook runs on b.
      const hook = await call(b, 'POST', '/hooks', { name: 'stamp-on-b', mode: 'filter', events: ['download.failed'], source: 'export default () => ({ patch: { stamped: true } })' });
      assert.equal(hook.status, 201, hook.text);
      const waited = await call(b, 'POST', '/events?wait=true', { type: 'download.failed', payload: { title: 'x' } });
      assert.equal(waited.status, 200, waited.text);
      const outcome = await s.waitFor((e) => e.event === 'hook.executed' && e.json.payload.hook?.id === hook.body.id);
      assert.equal(outcome.json.payload.eventId, waited.body.id);
      assert.equal(outcome.json.payload.status, 'ok');

      const metric = async (d: ChildDaemon, name: string) => {
        const r = await call(d, 'GET', '/metrics');
        assert.equal(r.status, 200, r.text);
        return sampleValue(parsePrometheusText(r.text), name, { instance: d === a ? 'a' : d === b ? 'b' : 'c' });
      };
      assert.ok((await metric(a, 'hookd_stream_fanout_large_total'))! >= 1, 'a sent the large value through stream_frames');
      assert.ok((await metric(c, 'hookd_stream_fanout_received_total'))! >= 4);
      assert.equal(await metric(c, 'hookd_stream_fanout_missed_total'), 0);
      // Every daemon counts the statements it sends; a's grow with an event stored through it.
      const sentBefore = (await metric(a, 'hookd_storage_statements_total'))!;
      const committedBefore = (await metric(a, 'hookd_storage_transactions_total'))!;
      assert.equal((await call(a, 'POST', '/events', { type: 'media.updated', payload: { title: 'counted' } })).status, 202);
      assert.ok((await metric(a, 'hookd_storage_statements_total'))! > sentBefore, 'the stored event was counted');
      assert.ok((await metric(a, 'hookd_storage_transactions_total'))! > committedBefore, 'its transaction was counted');
    } finally {
      s.close();
    }
  });

  test('kill -9 of one daemon in the middle of a webhook burst and of owed hooks: the others finish its work, nothing is lost', async () => {
    // A slow endpoint keeps deliveries claimed and in flight when the kill lands.
    receiver.respondWith((req) => (req.path === '/burst' ? { delayMs: 150 } : undefined));
    const wh = await call(daemons[0]!, 'POST', '/webhooks', { url: `${receiver.url}/burst`, events: ['download.completed'] });
    assert.equal(wh.status, 201, wh.text);
    const events = Array.from({ length: 60 }, (_, i) => ({ type: 'download.completed', payload: { title: `burst-${i}` } }));
    // One connection of the test's own, open before the burst: the snapshot below is one query on it.
    const db = knex({ client: 'pg', connection: schema.url, pool: { min: 1, max: 1 } });
    try {
      await db.raw('SELECT 1');
      const r = await call(daemons[0]!, 'POST', '/events', events);
      assert.equal(r.status, 207, r.text);
      const acknowledged: string[] = r.body.results.filter((item: { status: number }) => item.status === 202).map((item: { id: string }) => item.id);
      assert.equal(acknowledged.length, 60);

      // The kill moment is chosen by the database, not by time: the victim is a daemon that holds
      // live leases on both deliveries and events at once (under load the burst may be drained by
      // the others, or already sent, by any fixed moment).
      const names = ['a', 'b', 'c'];
      const held = async () =>
        (await db.raw(
          `SELECT claimed_by AS owner, 'delivery' AS kind FROM deliveries WHERE webhook_id = ? AND status = 'pending' AND claimed_until > ?
           UNION ALL SELECT claimed_by, 'event' FROM events WHERE id = ANY(?) AND status = 'pending' AND claim_expires_at > ?`,
          [wh.body.id, Date.now(), acknowledged, Date.now()],
        )).rows as Array<{ owner: string; kind: string }>;
      const victimName = await waitFor(async () => {
        const rows = await held();
        return names.find((n) => rows.some((x) => x.owner === n && x.kind === 'delivery') && rows.some((x) => x.owner === n && x.kind === 'event'));
      }, 'a daemon holding delivery and event leases at once', 60_000);
      const victim = daemons[names.indexOf(victimName)]!;
      const [b, c] = daemons.filter((d) => d !== victim) as [ChildDaemon, ChildDaemon];
      // Frozen first, so that what it holds cannot change while it is read; killed after.
      victim.child.kill('SIGSTOP');
      const snapshot = (await db.raw(
        `SELECT 'delivery' AS kind, id, claimed_until AS until FROM deliveries WHERE webhook_id = ? AND status = 'pending' AND claimed_by = ? AND claimed_until IS NOT NULL
         UNION ALL SELECT 'event', id, claim_expires_at FROM events WHERE id = ANY(?) AND status = 'pending' AND claimed_by = ? AND claim_expires_at IS NOT NULL`,
        [wh.body.id, victimName, acknowledged, victimName],
      )).rows as Array<{ kind: string; id: string; until: string }>;
      const readAt = Date.now();
      const sentBeforeKill = new Set(receiver.requests.filter((x) => x.path === '/burst').map((x) => JSON.parse(x.body).id as string));
      victim.child.kill('SIGKILL');
      assert.equal((await victim.exited).signal, 'SIGKILL');
      // Others take a lease over only once it has expired: read before any expired, the snapshot is whole.
      assert.ok(snapshot.every((x) => Number(x.until) > readAt), `a lease of the victim expired before it was read: ${JSON.stringify(snapshot)} at ${readAt}`);
      const heldDeliveries = new Set(snapshot.filter((x) => x.kind === 'delivery').map((x) => x.id));
      const heldEvents = new Set(snapshot.filter((x) => x.kind === 'event').map((x) => x.id));
      assert.ok(heldDeliveries.size > 0, 'the victim held no delivery lease at the kill: the test proved nothing');
      assert.ok(heldEvents.size > 0, 'the victim owed no action hook at the kill: the test proved nothing');
      assert.ok(sentBeforeKill.size < acknowledged.length, 'everything was delivered before the kill: the test proved nothing');

      const views = await waitDispatched(b, acknowledged);
      const ranTwice: string[] = [];
      for (const [id, view] of views) {
        const runs = view.invocations.filter((i) => i.hookId === hookIds.slow).length;
        assert.ok(runs >= 1, `event ${id}'s action hook never ran`);
        if (runs > 1) ranTwice.push(id);
      }
      // At least once: only a hook run the victim held a lease on may have run again.
      assert.deepEqual(ranTwice.filter((id) => !heldEvents.has(id)), [], 'events whose hook ran twice though the victim did not hold them');

      await waitDelivered(c, wh.body.id, acknowledged.length);
      const counts = receivedByEvent(receiver.requests.filter((x) => x.path === '/burst'));
      assert.deepEqual(acknowledged.filter((id) => !counts.has(id)), [], 'acknowledged events never delivered');
      // At least once: only a delivery the victim held (sent, maybe answered, but not recorded
      // at the kill) may be sent again, and then once more, by the daemon that took it over.
      const byEvent = new Map<string, string>();
      for (const d of (await call(c, 'GET', `/webhooks/${wh.body.id}/deliveries?limit=1000`)).body.items as Array<{ id: string; eventId: string }>) byEvent.set(d.eventId, d.id);
      const resent = acknowledged.filter((id) => counts.get(id)! > 1);
      assert.deepEqual(resent.filter((id) => !heldDeliveries.has(byEvent.get(id)!) || counts.get(id)! > 2), [], 'deliveries sent again that the victim did not hold, or sent more than twice');
    } finally {
      await db.destroy();
    }
  });
});
