// Requests checked by the routes' declared schemas keep the answers clients rely on: the same
// codes, statuses and pointers as before the schemas, the domain's own messages where it has
// them, and what was accepted is still accepted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

let d: TestDaemon;
let receiver: WebhookReceiver;
let webhookId: string;
let hookId: string;

before(async () => {
  receiver = await startWebhookReceiver();
  d = await startTestDaemon({ config: { hooks: { watch: false } } });
  const webhook = await d.call('POST', '/webhooks', { url: receiver.url, events: ['media.*'] });
  assert.equal(webhook.status, 201, webhook.text);
  webhookId = webhook.body.id;
  const hook = await d.call('POST', '/hooks', { name: 'noop', events: ['media.added'], mode: 'action', source: 'export default () => {}' });
  assert.equal(hook.status, 201, hook.text);
  hookId = hook.body.id;
});
after(async () => {
  await d.close();
  await receiver.close();
});

const refused: Array<{ name: string; method: string; path: () => string; body: unknown; status: number; code: string; pointer?: string; message?: RegExp }> = [
  { name: 'a webhook header that is not a string is a 422 naming it', method: 'POST', path: () => '/webhooks', body: { url: 'http://127.0.0.1:9/', events: ['media.*'], headers: { 'X-Count': 5 } }, status: 422, code: 'UNPROCESSABLE', pointer: '/headers/X-Count' },
  { name: 'webhook headers that are not an object are a 422', method: 'PATCH', path: () => `/webhooks/${webhookId}`, body: { headers: 'X-A: 1' }, status: 422, code: 'UNPROCESSABLE', pointer: '/headers' },
  { name: 'a reserved webhook header keeps its own message', method: 'PATCH', path: () => `/webhooks/${webhookId}`, body: { headers: { 'Content-Type': 'text/plain' } }, status: 422, code: 'UNPROCESSABLE', pointer: '/headers/Content-Type', message: /set by hookd/ },
  { name: 'a secret cannot be patched', method: 'PATCH', path: () => `/webhooks/${webhookId}`, body: { secret: 'whsec_x' }, status: 400, code: 'VALIDATION', pointer: '/secret' },
  { name: 'a patch that changes nothing', method: 'PATCH', path: () => `/webhooks/${webhookId}`, body: {}, status: 400, code: 'VALIDATION', message: /changes nothing/ },
  { name: 'a webhook timeout out of range', method: 'PATCH', path: () => `/webhooks/${webhookId}`, body: { timeoutMs: 5 }, status: 400, code: 'VALIDATION', pointer: '/timeoutMs' },
  { name: 'a webhook pattern list over the limit keeps its message', method: 'PATCH', path: () => `/webhooks/${webhookId}`, body: { events: Array.from({ length: 101 }, () => 'media.*') }, status: 400, code: 'VALIDATION', message: /lists 101 patterns; the limit is 100/ },
  { name: 'a malformed rotate-secret secret', method: 'POST', path: () => `/webhooks/${webhookId}/rotate-secret`, body: { secret: 'plain' }, status: 400, code: 'VALIDATION', pointer: '/secret' },
  { name: 'an unknown rotate-secret field', method: 'POST', path: () => `/webhooks/${webhookId}/rotate-secret`, body: { secrett: 'x' }, status: 400, code: 'VALIDATION', pointer: '/secrett' },
  { name: 'a test event without a type', method: 'POST', path: () => `/hooks/${hookId}/test`, body: { payload: {} }, status: 400, code: 'VALIDATION', pointer: '/type' },
  { name: 'a hook with a shell string for a command', method: 'POST', path: () => '/hooks', body: { name: 'sh', events: ['media.added'], mode: 'action', command: '/bin/sh -c x' }, status: 400, code: 'VALIDATION', pointer: '/command', message: /^invalid hook: \/command must be array/ },
  { name: 'a hook env name no hook may get', method: 'PATCH', path: () => `/hooks/${hookId}`, body: { permissions: { env: ['HOOKD_TOKEN'] } }, status: 422, code: 'UNPROCESSABLE', pointer: '/permissions/env/0' },
];

describe('refusals keep their codes, statuses and pointers', () => {
  for (const c of refused) {
    test(c.name, async () => {
      const r = await d.call(c.method, c.path(), c.body);
      assert.equal(r.status, c.status, r.text);
      assert.equal(r.body.error.code, c.code);
      if (c.pointer !== undefined) assert.equal(r.body.error.details.pointer, c.pointer);
      if (c.message) assert.match(r.body.error.message, c.message);
    });
  }
});

describe('what was accepted still is', () => {
  test('a progress event with an id of any kind (ids are for business events)', async () => {
    const r = await d.call('POST', '/events', { type: 'download.progress', id: 42, payload: { downloadId: 'a', pct: 1 } });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(r.body, { type: 'download.progress', status: 'live' });
  });

  test('a test event with fields besides type and payload', async () => {
    const r = await d.call('POST', `/hooks/${hookId}/test`, { type: 'media.added', payload: { title: 'x' }, note: 'ignored' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'ok');
  });

  test('an empty rotate-secret generates a secret', async () => {
    const r = await d.call('POST', `/webhooks/${webhookId}/rotate-secret`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.secret, /^whsec_/);
  });

  test('an unknown event field still names the field', async () => {
    const r = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'x' }, 'a/b': 1 });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /unknown field "a\/b"/);
    assert.equal(r.body.error.details.pointer, '/a~1b');
  });
});
