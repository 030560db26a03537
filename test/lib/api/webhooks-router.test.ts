// The webhooks router in the daemon's Koa app with the real webhooks subsystem on temp SQLite
// (its sender not started) and a local receiver for pings: the secret shown once, validation
// with its pointer, refused targets, NOT_FOUND, the admin scope, and paged deliveries.
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

const hook = (over: Record<string, unknown> = {}) => ({ url: w.receiver.url, events: ['media.*'], ...over });

/** Stores pending deliveries of `count` events for every matching endpoint, as the event writer's outbox stage does. */
async function enqueue(count: number): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => ({
    event: { id: `ev-${i}`, type: 'media.added', occurredAt: new Date(0).toISOString() } as EventRecord,
    payload: { title: `t${i}` },
  }));
  await w.t.db.transaction((trx) => w.webhooks.enqueueDeliveries(trx, items));
}

describe('webhooks router', () => {
  test('the secret is answered on create and never again', async () => {
    const created = await w.api.call('POST', '/webhooks', hook());
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.secret, /^whsec_/);
    for (const r of [await w.api.call('GET', `/webhooks/${created.body.id}`), await w.api.call('GET', '/webhooks'), await w.api.call('PATCH', `/webhooks/${created.body.id}`, { description: 'x' })]) {
      assert.ok(r.status === 200, r.text);
      assert.ok(!r.text.includes(created.body.secret), 'no secret in a later answer');
    }
  });

  // Over fields of a valid endpoint (the receiver's URL is known only once `before` ran).
  const invalid: Array<[string, Record<string, unknown>, number, string, string]> = [
    ['no events', { events: [] }, 400, 'VALIDATION', '/events'],
    ['a pattern no deliverable type matches', { events: ['nothing.*'] }, 400, 'VALIDATION', '/events/0'],
    ['a header hookd sets itself', { headers: { 'webhook-id': 'x' } }, 422, 'UNPROCESSABLE', '/headers/webhook-id'],
    ['a cloud metadata address', { url: 'http://169.254.169.254/latest' }, 400, 'TARGET_REFUSED', '/url'],
    ['an unknown field', { retries: 3 }, 400, 'VALIDATION', '/retries'],
  ];
  for (const [what, over, status, code, pointer] of invalid) {
    test(`${what} is ${status} ${code} naming ${pointer}`, async () => {
      const r = await w.api.call('POST', '/webhooks', hook(over));
      assert.equal(r.status, status, r.text);
      assert.equal(r.body.error.code, code);
      assert.equal(r.body.error.details.pointer, pointer, r.text);
    });
  }

  test('an unknown id is 404 NOT_FOUND on every webhook route', async () => {
    for (const [method, path, body] of [['GET', '/webhooks/nope'], ['PATCH', '/webhooks/nope', { enabled: false }], ['DELETE', '/webhooks/nope'], ['POST', '/webhooks/nope/rotate-secret'], ['POST', '/webhooks/nope/test'], ['GET', '/webhooks/nope/deliveries']] as const) {
      const r = await w.api.call(method, path, body);
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.equal(r.body.error.code, 'NOT_FOUND');
    }
  });

  test('an events-only token is refused (403) and no token is 401', async () => {
    assert.equal((await w.api.call('GET', '/webhooks', undefined, UNIT_PRODUCER)).status, 403);
    assert.equal((await w.api.call('POST', '/webhooks', hook(), UNIT_PRODUCER)).status, 403);
    assert.equal((await w.api.call('GET', '/webhooks', undefined, null)).status, 401);
  });

  test('rotate-secret answers a new secret; a given one is kept, a short one is 400', async () => {
    const { body: created } = await w.api.call('POST', '/webhooks', hook());
    const rotated = await w.api.call('POST', `/webhooks/${created.id}/rotate-secret`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.notEqual(rotated.body.secret, created.secret);
    const given = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    assert.equal((await w.api.call('POST', `/webhooks/${created.id}/rotate-secret`, { secret: given })).body.secret, given);
    const short = await w.api.call('POST', `/webhooks/${created.id}/rotate-secret`, { secret: 'x' });
    assert.equal(short.status, 400, short.text);
  });

  test('a ping is answered with how it went, and logged as a delivery', async () => {
    const { body: created } = await w.api.call('POST', '/webhooks', hook());
    w.receiver.respondWith(() => ({ status: 503, body: 'busy' }));
    const ping = await w.api.call('POST', `/webhooks/${created.id}/test`);
    w.receiver.respondWith(() => undefined);
    assert.equal(ping.status, 200, ping.text);
    assert.deepEqual([ping.body.ok, ping.body.statusCode, ping.body.responseBody], [false, 503, 'busy']);
    const listed = await w.api.call('GET', `/webhooks/${created.id}/deliveries`);
    assert.deepEqual(listed.body.items.map((d: { id: string }) => d.id), [ping.body.deliveryId]);
  });

  test('deliveries page newest first through nextCursor and filter by status', async () => {
    const { body: created } = await w.api.call('POST', '/webhooks', hook({ events: ['media.added'] }));
    await enqueue(5);
    const seen: Array<{ eventId: string; createdAt: string; id: string }> = [];
    let cursor: string | null = null;
    do {
      const page: any = await w.api.call('GET', `/webhooks/${created.id}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen.map((d) => d.eventId).sort(), ['ev-0', 'ev-1', 'ev-2', 'ev-3', 'ev-4'], 'each delivery once');
    // Newest first; deliveries of the same millisecond in id order (the cursor's tiebreak).
    const keys = seen.map((d) => `${d.createdAt} ${d.id}`);
    assert.deepEqual(keys, [...keys].sort().reverse());
    assert.equal((await w.api.call('GET', `/webhooks/${created.id}/deliveries?status=succeeded`)).body.items.length, 0);
    const bad = await w.api.call('GET', `/webhooks/${created.id}/deliveries?cursor=bogus`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.parameter, 'cursor');
  });

  test('DELETE removes the endpoint and its deliveries', async () => {
    const { body: created } = await w.api.call('POST', '/webhooks', hook());
    assert.equal((await w.api.call('DELETE', `/webhooks/${created.id}`)).status, 204);
    assert.equal((await w.api.call('GET', `/webhooks/${created.id}`)).status, 404);
  });
});
