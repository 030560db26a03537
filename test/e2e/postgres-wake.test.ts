// What wakes a webhook sender on PostgreSQL: deliveries made claimable by another process (rows
// written through the test's own connection, as another daemon would) are sent although the
// daemon's safety poll is ten minutes: only the hookd_deliveries notification can have woken it,
// at once for a row due now, when it falls due for a later one. Skipped when PostgreSQL is unreachable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import knexFactory, { type Knex } from 'knex';
import { createDeliveriesStore, type NewDelivery } from '../../lib/db/deliveries-store.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { createTestSchema, postgresReachable, shownUrl, type TestSchema } from '../helpers/postgres.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const reachable = await postgresReachable();

describe('a webhook sender on PostgreSQL with a ten-minute safety poll', { skip: reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL` }, () => {
  let schema: TestSchema;
  let d: TestDaemon;
  let receiver: WebhookReceiver;
  let other: Knex; // another daemon's connection: its writes wake nothing in this process
  let webhookId: string;

  before(async () => {
    schema = await createTestSchema();
    receiver = await startWebhookReceiver(() => undefined);
    d = await startTestDaemon({
      config: {
        storage: { client: 'postgres', url: schema.url, pool: 4, instance: 'wake-test' },
        hooks: { watch: false },
        webhooks: { safetyPoll: '10m', pollInterval: '10m', jitter: 0, allowPrivateNetworks: true },
      },
    });
    const wh = await d.call('POST', '/webhooks', { url: `${receiver.url}/in`, events: ['media.*'] });
    assert.equal(wh.status, 201, wh.text);
    webhookId = wh.body.id;
    other = knexFactory({ client: 'pg', connection: schema.url, pool: { min: 0, max: 1 } });
  });
  after(async () => {
    await other?.destroy();
    await d?.close();
    await receiver?.close();
    await schema?.drop();
  });

  function delivery(id: string, nextAttemptAt: number): NewDelivery {
    const body = JSON.stringify({ id: `evt-${id}`, type: 'media.added', occurredAt: new Date().toISOString(), payload: { title: id } });
    return { id, webhookId, eventId: `evt-${id}`, eventType: 'media.added', body, status: 'pending', attempts: 0, nextAttemptAt, createdAt: Date.now() };
  }

  const sent = (id: string) => receiver.waitFor((rs) => rs.some((r) => r.headers['webhook-id'] === id));

  test('a delivery another daemon enqueues is sent: the notification woke the sender', async () => {
    await other.transaction((trx) => createDeliveriesStore(other).insertMany([delivery('msg_now', Date.now())], trx));
    await sent('msg_now');
  });

  test('a delivery enqueued to fall due later is sent once due: the notified due time set the timer', async () => {
    const due = Date.now() + 300;
    await other.transaction((trx) => createDeliveriesStore(other).insertMany([delivery('msg_later', due)], trx));
    const [request] = (await sent('msg_later')).filter((r) => r.headers['webhook-id'] === 'msg_later');
    assert.ok(request!.at >= due, 'not sent before it was due');
  });

  test('a claim another daemon gives back is sent', async () => {
    const store = createDeliveriesStore(other);
    // Claimed in the transaction that enqueues it by a daemon that does not send it (a lease of an hour), then given back.
    await other.transaction(async (trx) => {
      await store.insertMany([delivery('msg_given_back', Date.now())], trx);
      await trx('deliveries').where({ id: 'msg_given_back' }).update({ claimed_until: Date.now() + 3_600_000, claimed_by: 'elsewhere' });
    });
    await store.releaseClaims(['msg_given_back'], 'elsewhere');
    await sent('msg_given_back');
  });
});
