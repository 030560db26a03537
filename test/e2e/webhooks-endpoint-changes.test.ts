// The outbox keeps the enabled endpoints in memory: every change through the API must show
// in the very next event's deliveries.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

let d: TestDaemon;
let receiver: WebhookReceiver;
before(async () => {
  receiver = await startWebhookReceiver();
  d = await startTestDaemon({ config: { hooks: { watch: false } } });
});
after(async () => {
  await d.close();
  await receiver.close();
});

const post = async (title: string) => (await d.call('POST', '/events', { type: 'media.added', payload: { title } })).body.id as string;
const deliveredTo = (path: string, eventId: string) => receiver.requests.some((r) => r.path === path && JSON.parse(r.body).id === eventId);

test('endpoints created, disabled, re-enabled and deleted take effect for the next event', async () => {
  const a = await d.call('POST', '/webhooks', { url: `${receiver.url}/a`, events: ['media.*'] });
  const first = await post('one');
  await receiver.waitFor(() => deliveredTo('/a', first));

  const b = await d.call('POST', '/webhooks', { url: `${receiver.url}/b`, events: ['media.added'] });
  const second = await post('two');
  await receiver.waitFor(() => deliveredTo('/a', second) && deliveredTo('/b', second));

  await d.call('PATCH', `/webhooks/${a.body.id}`, { enabled: false });
  await d.call('DELETE', `/webhooks/${b.body.id}`);
  const third = await post('three');
  const marker = await d.call('POST', '/webhooks', { url: `${receiver.url}/marker`, events: ['media.added'] });
  const fourth = await post('four');
  await receiver.waitFor(() => deliveredTo('/marker', fourth));
  assert.ok(!deliveredTo('/a', third) && !deliveredTo('/b', third), 'a disabled or deleted endpoint gets nothing');

  await d.call('PATCH', `/webhooks/${a.body.id}`, { enabled: true });
  const fifth = await post('five');
  await receiver.waitFor(() => deliveredTo('/a', fifth));
  await d.call('DELETE', `/webhooks/${marker.body.id}`);
});
