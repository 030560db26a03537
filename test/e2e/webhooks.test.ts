// Webhooks end to end: a real daemon on loopback, a real SQLite file, a real local receiver.
// Signatures are checked by computing the specification's HMAC here and with the official
// standardwebhooks package; retries, Retry-After, auto-disable, redelivery and rotation.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { waitFor } from '../helpers/wait.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startWebhookReceiver, type Answer, type ReceivedRequest, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const FAST = {
  webhooks: { retrySchedule: ['50ms', '100ms'], jitter: 0, pollInterval: '50ms', timeout: '10s', disableAfterFailures: 3 },
};

/** The specification's signature, computed independently of hookd's code. */
function expectedSignature(secret: string, r: ReceivedRequest): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const content = `${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`;
  return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
}

const signatures = (r: ReceivedRequest) => String(r.headers['webhook-signature']).split(' ');


describe('webhooks', () => {
  let hookd: TestDaemon;
  let receiver: WebhookReceiver;
  // Each test owns a receiver path and decides how it answers.
  const routes = new Map<string, (r: ReceivedRequest, nth: number) => Answer | undefined>();
  const at = (path: string) => (rs: ReceivedRequest[]) => rs.filter((r) => r.path === path);

  before(async () => {
    hookd = await startTestDaemon({ config: FAST });
    receiver = await startWebhookReceiver((r) => routes.get(r.path)?.(r, at(r.path)(receiver.requests).length));
  });
  after(async () => {
    await hookd.close();
    await receiver.close();
  });

  async function createWebhook(path: string, body: Record<string, unknown> = {}) {
    const res = await hookd.call('POST', '/webhooks', { url: `${receiver.url}${path}`, events: ['media.added'], ...body });
    assert.equal(res.status, 201, res.text);
    return res.body as { id: string; secret: string; url: string };
  }

  async function postEvent(title: string, type = 'media.added') {
    const res = await hookd.call('POST', '/events', { type, payload: { title } });
    assert.equal(res.status, 202, res.text);
    return res.body.id as string;
  }

  const forEvent = (eventId: string) => (rs: ReceivedRequest[]) => rs.filter((r) => JSON.parse(r.body).id === eventId);

  test('a delivery is signed as the specification says and verifies with standardwebhooks', async () => {
    const wh = await createWebhook('/signed', { events: ['media.*'], headers: { 'X-Custom': 'yes' } });
    assert.match(wh.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.ok(Buffer.from(wh.secret.slice(6), 'base64').length >= 24);
    const eventId = await postEvent('Dune');
    const [r] = forEvent(eventId)(await receiver.waitFor((rs) => forEvent(eventId)(rs).length > 0));
    assert.ok(r);
    assert.equal(r.method, 'POST');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-custom'], 'yes');
    assert.equal(r.headers['x-hookd-event'], 'media.added');
    assert.match(String(r.headers['webhook-id']), /^msg_/);
    assert.ok(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000) < 300);
    assert.deepEqual(signatures(r), [expectedSignature(wh.secret, r)]);
    const hex = createHmac('sha256', wh.secret).update(r.body).digest('hex');
    assert.equal(r.headers['x-hookd-signature'], `sha256=${hex}`);
    const body = new Webhook(wh.secret).verify(r.body, r.headers as Record<string, string>) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['id', 'occurredAt', 'payload', 'type']);
    assert.deepEqual(body.payload, { title: 'Dune' });
    assert.throws(() => new Webhook(wh.secret).verify(`${r.body} `, r.headers as Record<string, string>));
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  async function deliveriesOf(webhookId: string) {
    const res = await hookd.call('GET', `/webhooks/${webhookId}/deliveries`);
    assert.equal(res.status, 200, res.text);
    return res.body.items as Array<Record<string, any>>;
  }

  test('a 500 is retried with the same webhook-id, and every attempt is logged', async () => {
    routes.set('/flaky', (_r, nth) => (nth === 1 ? { status: 500, body: 'boom' } : { status: 204 }));
    const wh = await createWebhook('/flaky');
    const eventId = await postEvent('Alien');
    const got = await receiver.waitFor((rs) => at('/flaky')(rs).length >= 2);
    const [first, second] = at('/flaky')(got);
    assert.equal(first!.headers['webhook-id'], second!.headers['webhook-id']);
    assert.equal(first!.body, second!.body);
    const [d] = await waitFor(async () => {
      const list = await deliveriesOf(wh.id);
      return list[0]?.status === 'succeeded' ? list : undefined;
    }, 'the delivery to succeed');
    assert.equal(d!.id, first!.headers['webhook-id']);
    assert.equal(d!.eventId, eventId);
    assert.deepEqual(d!.attempts.map((a: any) => a.statusCode), [500, 204]);
    assert.equal(d!.attempts[0].responseBody, 'boom');
    assert.ok(d!.attempts.every((a: any) => typeof a.durationMs === 'number' && !Number.isNaN(Date.parse(a.at))));
    const event = await hookd.call('GET', `/events/${eventId}`);
    assert.deepEqual(event.body.deliveries.map((x: any) => [x.webhookId, x.status]), [[wh.id, 'succeeded']]);
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  test('Retry-After is honoured instead of the shorter schedule', async () => {
    routes.set('/busy', (_r, nth) => (nth === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const wh = await createWebhook('/busy');
    await postEvent('Heat');
    const [first, second] = at('/busy')(await receiver.waitFor((rs) => at('/busy')(rs).length >= 2));
    // The schedule says 50 ms; the receiver asked for a second.
    assert.ok(second!.at - first!.at >= 950, `retried after ${second!.at - first!.at} ms`);
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  test('N consecutive failed deliveries disable the endpoint; enabling again resets the count', async () => {
    let healthy = false;
    routes.set('/dead', () => ({ status: healthy ? 200 : 503 }));
    routes.set('/alerts', () => ({ status: 200 }));
    const alerts = await createWebhook('/alerts', { events: ['delivery.failed', 'webhook.disabled'] });
    const wh = await createWebhook('/dead', { events: ['download.failed', 'delivery.failed'] });
    for (const title of ['a', 'b', 'c']) await postEvent(title, 'download.failed');
    const disabled = await waitFor(async () => {
      const res = await hookd.call('GET', `/webhooks/${wh.id}`);
      return res.body.enabled === false ? res.body : undefined;
    }, 'the webhook to be disabled');
    assert.match(disabled.disabledReason, /3 consecutive failed deliveries/);
    assert.equal(disabled.consecutiveFailures, 3);
    // 3 deliveries x (1 + 2 retries), no more.
    assert.equal(at('/dead')(receiver.requests).length, 9);
    const metaDisabled = await waitFor(async () => {
      const res = await hookd.call('GET', '/events?type=webhook.disabled');
      return res.body.items.find((e: any) => e.payload.webhookId === wh.id);
    }, 'a webhook.disabled event');
    assert.equal(metaDisabled.source, 'webhooks');
    const failed = await waitFor(async () => {
      const res = await hookd.call('GET', '/events?type=delivery.failed');
      const mine = res.body.items.filter((e: any) => e.payload.webhookId === wh.id);
      return mine.length === 3 ? mine : undefined;
    }, 'three delivery.failed events');
    assert.equal(failed[0].payload.attempts, 3);
    assert.equal(failed[0].payload.lastStatusCode, 503);
    // Users alert on the meta events through webhooks; the failing endpoint is not sent its own.
    const alerted = await receiver.waitFor((rs) => at('/alerts')(rs).length >= 4);
    assert.deepEqual(at('/alerts')(alerted).map((r) => JSON.parse(r.body).type).sort(), [...Array(3).fill('delivery.failed'), 'webhook.disabled']);
    assert.ok(at('/dead')(receiver.requests).every((r) => JSON.parse(r.body).type === 'download.failed'));
    await hookd.call('DELETE', `/webhooks/${alerts.id}`);
    // Disabled: new events are not enqueued for it.
    await postEvent('while disabled', 'download.failed');
    await hookd.daemon.idle();
    assert.equal((await deliveriesOf(wh.id)).length, 3);

    const enabled = await hookd.call('PATCH', `/webhooks/${wh.id}`, { enabled: true });
    assert.equal(enabled.status, 200, enabled.text);
    assert.equal(enabled.body.consecutiveFailures, 0);
    assert.equal(enabled.body.disabledReason, null);
    healthy = true;
    const eventId = await postEvent('after', 'download.failed');
    await receiver.waitFor((rs) => forEvent(eventId)(rs).length > 0);
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  test('410 Gone disables the endpoint at once; other 4xx fail without retry', async () => {
    routes.set('/gone', () => ({ status: 410 }));
    routes.set('/bad', () => ({ status: 400, body: 'no thanks' }));
    const gone = await createWebhook('/gone', { events: ['media.removed'] });
    const bad = await createWebhook('/bad', { events: ['media.removed'] });
    await postEvent('x', 'media.removed');
    const res = await waitFor(async () => {
      const r = await hookd.call('GET', `/webhooks/${gone.id}`);
      return r.body.enabled === false ? r.body : undefined;
    }, 'the 410 endpoint to be disabled');
    assert.match(res.disabledReason, /410 Gone/);
    const [d] = await waitFor(async () => {
      const list = await deliveriesOf(bad.id);
      return list[0]?.status === 'failed' ? list : undefined;
    }, 'the 400 delivery to fail');
    assert.equal(d!.attempts.length, 1);
    assert.match(d!.lastError, /HTTP 400: no thanks/);
    assert.equal((await hookd.call('GET', `/webhooks/${bad.id}`)).body.enabled, true);
    await hookd.call('DELETE', `/webhooks/${gone.id}`);
    await hookd.call('DELETE', `/webhooks/${bad.id}`);
  });

  test('a failed delivery is redelivered with the same webhook-id', async () => {
    let accept = false;
    routes.set('/redo', () => ({ status: accept ? 200 : 422 }));
    const wh = await createWebhook('/redo', { events: ['media.updated'] });
    await postEvent('x', 'media.updated');
    const [d] = await waitFor(async () => {
      const list = await deliveriesOf(wh.id);
      return list[0]?.status === 'failed' ? list : undefined;
    }, 'the delivery to fail');
    const sentBefore = at('/redo')(receiver.requests).length;
    accept = true;
    assert.equal((await hookd.call('POST', `/deliveries/${d!.id}/redeliver`)).status, 202);
    const requests = at('/redo')(await receiver.waitFor((rs) => at('/redo')(rs).length > sentBefore));
    assert.ok(requests.every((r) => r.headers['webhook-id'] === d!.id));
    const done = await waitFor(async () => {
      const r = await hookd.call('GET', `/deliveries/${d!.id}`);
      return r.body.status === 'succeeded' ? r.body : undefined;
    }, 'the redelivery to succeed');
    assert.deepEqual(done.attempts.map((a: any) => a.statusCode).slice(-1), [200]);
    assert.equal(done.body.type, 'media.updated');
    assert.equal((await hookd.call('POST', '/deliveries/msg_nope/redeliver')).status, 404);
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  test('a delivery whose attempt is still being sent cannot be redelivered beside it, even after its endpoint was disabled and enabled again', async () => {
    // The first attempt is answered after 3 s: the endpoint is disabled and enabled meanwhile.
    routes.set('/inflight', (_r, nth) => (nth === 1 ? { status: 200, delayMs: 3000 } : { status: 200 }));
    const wh = await createWebhook('/inflight', { events: ['media.updated'] });
    await postEvent('slow', 'media.updated');
    const [first] = await receiver.waitFor((rs) => at('/inflight')(rs).length === 1).then(at('/inflight'));
    assert.equal((await hookd.call('PATCH', `/webhooks/${wh.id}`, { enabled: false })).status, 200);
    const [d] = await deliveriesOf(wh.id);
    assert.equal(d!.status, 'failed', 'disabling failed the pending delivery');
    assert.equal((await hookd.call('PATCH', `/webhooks/${wh.id}`, { enabled: true })).status, 200);
    const refused = await hookd.call('POST', `/deliveries/${d!.id}/redeliver`);
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.body.error.message, /is being sent .* redeliver it once that attempt is recorded/);
    await waitFor(async () => ((await hookd.call('GET', `/deliveries/${d!.id}`)).body.attempts.length === 1 ? true : undefined), 'the attempt to be recorded');
    assert.equal((await hookd.call('POST', `/deliveries/${d!.id}/redeliver`)).status, 202);
    const [, second] = at('/inflight')(await receiver.waitFor((rs) => at('/inflight')(rs).length === 2));
    assert.ok(second!.at >= first!.at + 3000, `the redelivery was sent ${second!.at - first!.at} ms after the first attempt began, not beside it`);
    assert.equal(second!.headers['webhook-id'], d!.id);
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  test('a delivery still waiting for its retry cannot be redelivered', async () => {
    routes.set('/later', () => ({ status: 429, headers: { 'retry-after': '60' } }));
    const wh = await createWebhook('/later', { events: ['search.completed'] });
    await hookd.call('POST', '/events', { type: 'search.completed', payload: {} });
    const [d] = await waitFor(async () => {
      const list = await deliveriesOf(wh.id);
      return list[0]?.attempts.length === 1 ? list : undefined;
    }, 'the first attempt');
    assert.equal(d!.status, 'pending');
    assert.ok(Date.parse(d!.nextAttemptAt) - Date.now() > 30_000, 'Retry-After: 60 sets the next attempt');
    const res = await hookd.call('POST', `/deliveries/${d!.id}/redeliver`);
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.error.code, 'CONFLICT');
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  test('after rotate-secret both secrets sign, and no answer shows a secret again', async () => {
    routes.set('/rotate', () => ({ status: 200 }));
    const wh = await createWebhook('/rotate', { events: ['media.imported'] });
    const rotated = await hookd.call('POST', `/webhooks/${wh.id}/rotate-secret`);
    assert.equal(rotated.status, 200, rotated.text);
    const newSecret = rotated.body.secret as string;
    assert.notEqual(newSecret, wh.secret);
    const eventId = await postEvent('x', 'media.imported');
    const [r] = forEvent(eventId)(await receiver.waitFor((rs) => forEvent(eventId)(rs).length > 0));
    assert.deepEqual(signatures(r!), [expectedSignature(newSecret, r!), expectedSignature(wh.secret, r!)]);
    for (const secret of [newSecret, wh.secret]) new Webhook(secret).verify(r!.body, r!.headers as Record<string, string>);
    assert.equal(r!.headers['x-hookd-signature'], `sha256=${createHmac('sha256', newSecret).update(r!.body).digest('hex')}`);
    const shown = JSON.stringify([(await hookd.call('GET', `/webhooks/${wh.id}`)).body, (await hookd.call('GET', '/webhooks')).body, await deliveriesOf(wh.id)]);
    assert.ok(!shown.includes(newSecret) && !shown.includes(wh.secret));
    assert.ok(!hookd.logs.text().includes(newSecret) && !hookd.logs.text().includes(wh.secret), 'a secret reached the log');
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  test('POST /webhooks/:id/test sends a signed ping and answers its result', async () => {
    routes.set('/ping', () => ({ status: 200, body: 'pong' }));
    const wh = await createWebhook('/ping');
    const res = await hookd.call('POST', `/webhooks/${wh.id}/test`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    assert.equal(res.body.statusCode, 200);
    assert.equal(res.body.responseBody, 'pong');
    const [r] = at('/ping')(receiver.requests);
    assert.equal(JSON.parse(r!.body).type, 'webhook.ping');
    new Webhook(wh.secret).verify(r!.body, r!.headers as Record<string, string>);
    routes.set('/ping', () => ({ status: 500 }));
    const failing = await hookd.call('POST', `/webhooks/${wh.id}/test`);
    assert.equal(failing.body.ok, false);
    assert.equal(failing.body.statusCode, 500);
    assert.equal((await hookd.call('GET', `/webhooks/${wh.id}`)).body.consecutiveFailures, 0);
    await hookd.call('DELETE', `/webhooks/${wh.id}`);
  });

  test('the API validates webhooks and refuses forbidden targets', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ url: 'http://169.254.169.254/latest/meta-data', events: ['media.added'] }, 400, 'TARGET_REFUSED'],
      [{ url: 'http://[fe80::1]/', events: ['media.added'] }, 400, 'TARGET_REFUSED'],
      [{ url: 'http://[fd00:ec2::254]/', events: ['media.added'] }, 400, 'TARGET_REFUSED'],
      [{ url: 'http://[::ffff:169.254.169.254]/', events: ['media.added'] }, 400, 'TARGET_REFUSED'],
      [{ url: 'ftp://example.com/', events: ['media.added'] }, 400, 'TARGET_REFUSED'],
      [{ url: 'not a url', events: ['media.added'] }, 400, 'VALIDATION'],
      [{ url: 'http://u:p@example.com/', events: ['media.added'] }, 400, 'VALIDATION'],
      [{ url: 'http://example.com/', events: [] }, 400, 'VALIDATION'],
      [{ url: 'http://example.com/', events: ['download.progress'] }, 400, 'VALIDATION'],
      [{ url: 'http://example.com/', events: ['Bad Pattern'] }, 400, 'VALIDATION'],
      [{ url: 'http://example.com/', events: ['media.added'], secret: 'short' }, 400, 'VALIDATION'],
      [{ url: 'http://example.com/', events: ['media.added'], headers: { 'webhook-id': 'x' } }, 422, 'UNPROCESSABLE'],
      [{ url: 'http://example.com/', events: ['media.added'], timeoutMs: 5 }, 400, 'VALIDATION'],
      [{ url: 'http://example.com/', events: ['media.added'], colour: 'red' }, 400, 'VALIDATION'],
    ];
    for (const [body, status, code] of cases) {
      const res = await hookd.call('POST', '/webhooks', body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.error.code, code, JSON.stringify(body));
    }
    const given = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const ok = await hookd.call('POST', '/webhooks', { url: 'http://10.0.0.1/hook', events: ['hook.executed'], secret: given });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.secret, given);
    assert.equal((await hookd.call('PATCH', `/webhooks/${ok.body.id}`, { secret: given })).status, 400);
    const events = await hookd.call('POST', '/webhooks', { url: 'http://example.com/', events: ['media.added'] }, { token: 'test-events-token-0123456789' });
    assert.equal(events.status, 403);
    assert.equal((await hookd.call('DELETE', `/webhooks/${ok.body.id}`)).status, 204);
    assert.equal((await hookd.call('GET', `/webhooks/${ok.body.id}`)).status, 404);
  });
});
