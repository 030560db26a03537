// The deliveries router with the real webhooks subsystem on temp SQLite (sender not started):
// one delivery with its body and attempts, and redeliver's refusals: pending, a ping, a
// disabled endpoint, an unknown id; admin only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventRecord } from '../../../lib/db/events-store.ts';
import { UNIT_PRODUCER } from '../../helpers/serve-routers.ts';
import { serveWebhooksApi, type WebhooksApi } from '../../helpers/webhooks-api.ts';

let w: WebhooksApi;
before(async () => {
  w = await serveWebhooksApi();
});
after(() => w.close());

/** A new endpoint for media.added with one pending delivery (the outbox stage, as the event writer runs it) and one ping. */
async function endpointWithDeliveries(): Promise<{ webhookId: string; pending: string; ping: string }> {
  const { body: created } = await w.api.call('POST', '/webhooks', { url: w.receiver.url, events: ['media.added'] });
  const event = { id: `ev-${created.id}`, type: 'media.added', occurredAt: new Date(0).toISOString() } as EventRecord;
  await w.t.db.transaction((trx) => w.webhooks.enqueueDeliveries(trx, [{ event, payload: { title: 'Dune' } }]));
  const ping = await w.api.call('POST', `/webhooks/${created.id}/test`);
  const { body: page } = await w.api.call('GET', `/webhooks/${created.id}/deliveries?status=pending`);
  return { webhookId: created.id, pending: page.items[0].id, ping: ping.body.deliveryId };
}

describe('deliveries router', () => {
  test('GET /deliveries/:id answers the exact body and every attempt', async () => {
    const { pending, ping } = await endpointWithDeliveries();
    const waiting = await w.api.call('GET', `/deliveries/${pending}`);
    assert.equal(waiting.status, 200, waiting.text);
    assert.equal(waiting.body.status, 'pending');
    assert.deepEqual(waiting.body.body.payload, { title: 'Dune' });
    const sent = await w.api.call('GET', `/deliveries/${ping}`);
    assert.equal(sent.body.status, 'succeeded', sent.text);
    assert.equal(sent.body.attempts.length, 1);
    assert.equal(sent.body.attempts[0].statusCode, 200);
  });

  const refusals: Array<[string, (d: { webhookId: string; pending: string; ping: string }) => Promise<string>, number, string, RegExp]> = [
    ['a pending delivery', async (d) => d.pending, 409, 'CONFLICT', /pending/],
    ['a ping', async (d) => d.ping, 409, 'CONFLICT', /is a ping: send a new one with POST \/webhooks\/.+\/test/],
    ['a delivery of a disabled endpoint', async (d) => {
      await w.api.call('PATCH', `/webhooks/${d.webhookId}`, { enabled: false }); // fails its pending deliveries
      return d.pending;
    }, 409, 'CONFLICT', /disabled/],
    ['an unknown id', async () => 'nope', 404, 'NOT_FOUND', /nope/],
  ];
  for (const [what, pick, status, code, said] of refusals) {
    test(`redeliver refuses ${what}: ${status} ${code}`, async () => {
      const id = await pick(await endpointWithDeliveries());
      const r = await w.api.call('POST', `/deliveries/${id}/redeliver`);
      assert.equal(r.status, status, r.text);
      assert.equal(r.body.error.code, code);
      assert.match(r.body.error.message, said);
    });
  }

  test('a finished delivery is queued again (202, pending, same id)', async () => {
    const d = await endpointWithDeliveries();
    await w.api.call('PATCH', `/webhooks/${d.webhookId}`, { enabled: false });
    await w.api.call('PATCH', `/webhooks/${d.webhookId}`, { enabled: true });
    const r = await w.api.call('POST', `/deliveries/${d.pending}/redeliver`);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.id, d.pending);
    assert.equal(r.body.status, 'pending');
  });

  test('an events-only token is refused (403)', async () => {
    const { ping } = await endpointWithDeliveries();
    assert.equal((await w.api.call('GET', `/deliveries/${ping}`, undefined, UNIT_PRODUCER)).status, 403);
    assert.equal((await w.api.call('POST', `/deliveries/${ping}/redeliver`, undefined, UNIT_PRODUCER)).status, 403);
  });
});
