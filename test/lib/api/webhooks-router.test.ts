// The webhooks router in the daemon's Koa app with the real webhooks subsystem on temp SQLite
// (its sender not started) and a local receiver for pings: the secret shown once, validation
// with its pointer, refused targets, NOT_FOUND, the admin scope, and paged deliveries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWebhooksRouter } from '../../../lib/api/webhooks-router.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import type { EventRecord } from '../../../lib/db/events-store.ts';
import { createWebhooks, type Webhooks } from '../../../lib/webhooks/index.ts';
import { serveRouters, UNIT_PRODUCER, type ServedRouters } from '../../helpers/serve-routers.ts';
import { createTestLogger, defaultCatalog, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';

let t: TestDb;
let api: ServedRouters;
let webhooks: Webhooks;
let receiver: WebhookReceiver;

before(async () => {
  t = await openTestDb();
  receiver = await startWebhookReceiver();
  const { log } = createTestLogger();
  webhooks = createWebhooks({ db: t.db, log, catalog: defaultCatalog(), config: loadConfig({ env: {} }).webhooks, observeAttempt: () => {} });
  api = await serveRouters({ db: t.db, log, routers: [createWebhooksRouter({ endpoints: webhooks.endpoints, bodyLimit: 100_000, maxDepth: 32, pageSize: 50 })] });
});
after(async () => {
  await api.close();
  await webhooks.stop();
  await receiver.close();
  await t.close();
});

const hook = (over: Record<string, unknown> = {}) => ({ url: receiver.url, events: ['media.*'], ...over });

/** Stores pending deliveries of `count` events for every matching endpoint, as the event writer's outbox stage does. */
async function enqueue(count: number): Promise<void> {
  await t.db.transaction(async (trx) => {
    for (let i = 0; i < count; i++) {
      const event = { id: `ev-${i}`, type: 'media.added', occurredAt: new Date(0).toISOString() } as EventRecord;
      await webhooks.enqueueDeliveries(trx, event, { title: `t${i}` });
    }
  });
}

describe('webhooks router', () => {
  test('the secret is answered on create and never again', async () => {
    const created = await api.call('POST', '/webhooks', hook());
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.secret, /^whsec_/);
    for (const r of [await api.call('GET', `/webhooks/${created.body.id}`), await api.call('GET', '/webhooks'), await api.call('PATCH', `/webhooks/${created.body.id}`, { description: 'x' })]) {
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
      const r = await api.call('POST', '/webhooks', hook(over));
      assert.equal(r.status, status, r.text);
      assert.equal(r.body.error.code, code);
      assert.equal(r.body.error.details.pointer, pointer, r.text);
    });
  }

  test('an unknown id is 404 NOT_FOUND on every webhook route', async () => {
    for (const [method, path, body] of [['GET', '/webhooks/nope'], ['PATCH', '/webhooks/nope', { enabled: false }], ['DELETE', '/webhooks/nope'], ['POST', '/webhooks/nope/rotate-secret'], ['POST', '/webhooks/nope/test'], ['GET', '/webhooks/nope/deliveries']] as const) {
      const r = await api.call(method, path, body);
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.equal(r.body.error.code, 'NOT_FOUND');
    }
  });

  test('an events-only token is refused (403) and no token is 401', async () => {
    assert.equal((await api.call('GET', '/webhooks', undefined, UNIT_PRODUCER)).status, 403);
    assert.equal((await api.call('POST', '/webhooks', hook(), UNIT_PRODUCER)).status, 403);
    assert.equal((await api.call('GET', '/webhooks', undefined, null)).status, 401);
  });

  test('rotate-secret answers a new secret; a given one is kept, a short one is 400', async () => {
    const { body: created } = await api.call('POST', '/webhooks', hook());
    const rotated = await api.call('POST', `/webhooks/${created.id}/rotate-secret`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.notEqual(rotated.body.secret, created.secret);
    const given = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    assert.equal((await api.call('POST', `/webhooks/${created.id}/rotate-secret`, { secret: given })).body.secret, given);
    const short = await api.call('POST', `/webhooks/${created.id}/rotate-secret`, { secret: 'x' });
    assert.equal(short.status, 400, short.text);
  });

  test('a ping is answered with how it went, and logged as a delivery', async () => {
    const { body: created } = await api.call('POST', '/webhooks', hook());
    receiver.respondWith(() => ({ status: 503, body: 'busy' }));
    const ping = await api.call('POST', `/webhooks/${created.id}/test`);
    receiver.respondWith(() => undefined);
    assert.equal(ping.status, 200, ping.text);
    assert.deepEqual([ping.body.ok, ping.body.statusCode, ping.body.responseBody], [false, 503, 'busy']);
    const listed = await api.call('GET', `/webhooks/${created.id}/deliveries`);
    assert.deepEqual(listed.body.items.map((d: { id: string }) => d.id), [ping.body.deliveryId]);
  });

  test('deliveries page newest first through nextCursor and filter by status', async () => {
    const { body: created } = await api.call('POST', '/webhooks', hook({ events: ['media.added'] }));
    await enqueue(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.call('GET', `/webhooks/${created.id}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, page.text);
      seen.push(...page.body.items.map((d: { eventId: string }) => d.eventId));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, ['ev-4', 'ev-3', 'ev-2', 'ev-1', 'ev-0']);
    assert.equal((await api.call('GET', `/webhooks/${created.id}/deliveries?status=succeeded`)).body.items.length, 0);
    const bad = await api.call('GET', `/webhooks/${created.id}/deliveries?cursor=bogus`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.parameter, 'cursor');
  });

  test('DELETE removes the endpoint and its deliveries', async () => {
    const { body: created } = await api.call('POST', '/webhooks', hook());
    assert.equal((await api.call('DELETE', `/webhooks/${created.id}`)).status, 204);
    assert.equal((await api.call('GET', `/webhooks/${created.id}`)).status, 404);
  });
});
