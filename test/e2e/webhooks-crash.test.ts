// The outbox survives kill -9: `hookd serve` as a child process is killed in the middle of a
// burst, restarted on the same data, and every acknowledged event is delivered at least once,
// under one webhook-id per event (so receivers can deduplicate).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig, type ChildDaemon } from '../helpers/daemon.ts';
import { request, type Reply } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const temp = makeTempDir();
after(() => temp.remove());

test('a kill -9 in the middle of a burst loses no delivery', async () => {
  // A little latency keeps deliveries in flight (claimed, unanswered) when the kill lands.
  const receiver = await startWebhookReceiver(() => ({ delayMs: 10 }));
  const configFile = writeTestConfig(temp.dir, {
    log: { level: 'info' },
    storage: { synchronous: 'normal' },
    webhooks: { retrySchedule: ['50ms', '100ms', '200ms'], jitter: 0, pollInterval: '50ms', timeout: '2s' },
  });
  let daemon: ChildDaemon | undefined = await spawnDaemon(configFile);
  try {
    const created = await request(daemon.url, 'POST', '/webhooks', { url: `${receiver.url}/crash`, events: ['media.*'] }, { token: ADMIN_TOKEN });
    assert.equal(created.status, 201, created.text);

    const acknowledged = new Set<string>();
    let killedAfter = 0;
    for (let batch = 0; batch < 40; batch++) {
      if (batch > 0 && receiver.requests.length >= 40 && killedAfter === 0) {
        killedAfter = receiver.requests.length;
        daemon.child.kill('SIGKILL');
        break;
      }
      const events = Array.from({ length: 10 }, (_, i) => ({ type: 'media.added', id: `e-${batch}-${i}`, payload: { title: `t${i}` } }));
      const res: Reply = await request(daemon.url, 'POST', '/events', events, { token: ADMIN_TOKEN });
      assert.equal(res.status, 207, res.text);
      for (const r of res.body.results) if (r.status === 202) acknowledged.add(r.id);
      // Give the sender room to deliver part of what is stored before the next batch.
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(killedAfter > 0, 'the burst ended before the kill: the test proved nothing');
    assert.equal((await daemon.exited).signal, 'SIGKILL');
    const deliveredBeforeKill = new Set(receiver.requests.map((r) => JSON.parse(r.body).id as string));
    assert.ok(deliveredBeforeKill.size < acknowledged.size, 'everything was delivered before the kill: the test proved nothing');

    daemon = await spawnDaemon(configFile);
    await receiver.waitFor((rs) => {
      const seen = new Set(rs.map((r) => JSON.parse(r.body).id as string));
      return [...acknowledged].every((id) => seen.has(id));
    }, 30_000);

    // At least once, and retries of one event keep its webhook-id.
    const idsByEvent = new Map<string, Set<string>>();
    for (const r of receiver.requests) {
      const eventId = JSON.parse(r.body).id as string;
      idsByEvent.set(eventId, (idsByEvent.get(eventId) ?? new Set()).add(String(r.headers['webhook-id'])));
    }
    for (const id of acknowledged) assert.equal(idsByEvent.get(id)?.size, 1, `event ${id} went out under several webhook-ids`);
  } finally {
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    await receiver.close();
  }
});
