// Webhook safety end to end: a slow endpoint does not hold up another, timeouts and oversized
// answers are bounded, and loopback targets are refused once private networks are locked out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../helpers/wait.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';


describe('webhook isolation and limits', () => {
  let hookd: TestDaemon;
  let receiver: WebhookReceiver;

  before(async () => {
    hookd = await startTestDaemon({
      config: {
        webhooks: { retrySchedule: ['50ms'], jitter: 0, pollInterval: '50ms', maxConcurrency: 4, maxConcurrencyPerEndpoint: 2, maxResponseBody: '1KiB' },
      },
    });
    receiver = await startWebhookReceiver((r) => {
      if (r.path === '/slow') return { delayMs: 1_500 };
      if (r.path === '/stuck') return { delayMs: 2_000 };
      if (r.path === '/huge') return { body: Buffer.alloc(5 * 1024 * 1024, 'y') };
      if (r.path === '/to-metadata') return { status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data/' } };
      if (r.path === '/to-elsewhere') return { status: 308, headers: { location: `${receiver.url}/landing` } };
      return { status: 200 };
    });
  });
  after(async () => {
    await hookd.close();
    await receiver.close();
  });

  const count = (path: string) => receiver.requests.filter((r) => r.path === path).length;
  const create = async (path: string, events: string[], extra: Record<string, unknown> = {}) => {
    const res = await hookd.call('POST', '/webhooks', { url: `${receiver.url}${path}`, events, ...extra });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  const onlyDelivery = (id: string) =>
    waitFor(async () => {
      const [d] = (await hookd.call('GET', `/webhooks/${id}/deliveries`)).body.items;
      return d && d.status !== 'pending' ? d : undefined;
    }, 'a finished delivery');

  test('a slow endpoint holds only its own slots: another endpoint gets everything meanwhile', async () => {
    const slow = await create('/slow', ['media.added']);
    const fast = await create('/fast', ['media.added']);
    const events = Array.from({ length: 10 }, (_, i) => ({ type: 'media.added', payload: { title: `t${i}` } }));
    assert.equal((await hookd.call('POST', '/events', events)).status, 207);
    await receiver.waitFor((rs) => rs.filter((r) => r.path === '/fast').length === 10);
    // The overall limit is 4: without per-endpoint limits the slow endpoint would hold all of them.
    assert.ok(count('/slow') <= 2, `the slow endpoint got ${count('/slow')} requests at once`);
    await hookd.call('DELETE', `/webhooks/${slow}`);
    await hookd.call('DELETE', `/webhooks/${fast}`);
  });

  test('an endpoint that does not answer within its timeout gets a timed-out attempt, then a retry', async () => {
    const id = await create('/stuck', ['media.updated'], { timeoutMs: 200 });
    await hookd.call('POST', '/events', { type: 'media.updated', payload: { title: 'x' } });
    const d = await onlyDelivery(id);
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts.length, 2);
    for (const a of d.attempts) {
      assert.equal(a.statusCode, null);
      assert.match(a.error, /no answer within 200 ms/);
    }
    await hookd.call('DELETE', `/webhooks/${id}`);
  });

  test('an oversized response body is cut at maxResponseBody and the delivery succeeds', async () => {
    const id = await create('/huge', ['media.removed']);
    await hookd.call('POST', '/events', { type: 'media.removed', payload: { title: 'x' } });
    const d = await onlyDelivery(id);
    assert.equal(d.status, 'succeeded');
    assert.equal(d.attempts[0].responseBody.length, 1024);
    await hookd.call('DELETE', `/webhooks/${id}`);
  });

  test('an IPv6 address carrying the metadata address (NAT64, 6to4, mapped) is refused at creation', async () => {
    for (const host of ['[64:ff9b::a9fe:a9fe]', '[2002:a9fe:a9fe::1]', '[::ffff:169.254.169.254]', '[::169.254.169.254]']) {
      const res = await hookd.call('POST', '/webhooks', { url: `http://${host}/latest/meta-data/`, events: ['media.added'] });
      assert.equal(res.status, 400, `${host}: ${res.text}`);
      assert.equal(res.body.error.code, 'TARGET_REFUSED');
      assert.match(res.body.error.message, /169\.254\.169\.254, a link-local or cloud metadata address/);
    }
  });

  test('a redirect is not followed, to a refused address or any other: the 3xx is the failed outcome', async () => {
    const toMetadata = await create('/to-metadata', ['media.added']);
    const toElsewhere = await create('/to-elsewhere', ['media.added']);
    await hookd.call('POST', '/events', { type: 'media.added', payload: { title: 'moved' } });
    for (const [id, status] of [[toMetadata, 307], [toElsewhere, 308]] as const) {
      const d = await onlyDelivery(id);
      assert.equal(d.status, 'failed');
      assert.deepEqual(d.attempts.map((a: { statusCode: number }) => a.statusCode), [status], 'one attempt, not retried');
      assert.equal(d.lastStatusCode, status);
      assert.equal(d.lastError, `HTTP ${status}: redirects are not followed; set the webhook's url to the address it redirects to`);
    }
    assert.equal(count('/landing'), 0, 'the redirect target was never asked');
    for (const id of [toMetadata, toElsewhere]) assert.equal((await hookd.call('DELETE', `/webhooks/${id}`)).status, 204);
  });
});

describe('webhooks with private networks locked out', () => {
  let hookd: TestDaemon;
  let receiver: WebhookReceiver;

  before(async () => {
    hookd = await startTestDaemon({ config: { webhooks: { allowPrivateNetworks: false, retrySchedule: ['50ms'], pollInterval: '50ms' } } });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await hookd.close();
    await receiver.close();
  });

  test('a loopback IP is refused at creation; a name resolving to loopback is refused at send', async () => {
    const port = new URL(receiver.url).port;
    for (const host of ['127.0.0.1', '[::127.0.0.1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::1]']) {
      const literal = await hookd.call('POST', '/webhooks', { url: `http://${host}:${port}/`, events: ['media.added'] });
      assert.equal(literal.status, 400, `${host}: ${literal.text}`);
      assert.equal(literal.body.error.code, 'TARGET_REFUSED');
    }
    const named = await hookd.call('POST', '/webhooks', { url: `http://localhost:${port}/`, events: ['media.added'] });
    assert.equal(named.status, 201, named.text);
    await hookd.call('POST', '/events', { type: 'media.added', payload: { title: 'x' } });
    const d = await waitFor(async () => {
      const [x] = (await hookd.call('GET', `/webhooks/${named.body.id}/deliveries`)).body.items;
      return x && x.status === 'failed' ? x : undefined;
    }, 'the refused delivery');
    assert.equal(d.attempts.length, 1, 'a refused target is not retried');
    assert.match(d.attempts[0].error, /loopback address and webhooks\.allowPrivateNetworks is false/);
    assert.equal(receiver.requests.length, 0);
  });
});
