// hooks/download.completed/60-notify.js: ctx.fetch to a real local receiver, with net and env grants.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { createExampleRunner } from './example-runner.ts';

const FILE = 'hooks/download.completed/60-notify.js';
const PAYLOAD = { title: 'Frieren S01E01', size: 1536 * 1024 * 1024, path: '/downloads/Frieren.S01E01.mkv' };

describe(FILE, () => {
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver((req) => (req.path.endsWith('/fail') ? { status: 500 } : { status: 200 }));
  });
  after(() => receiver.close());

  it('posts a JSON notification to NOTIFY_URL when its host is granted', async () => {
    const url = `${receiver.url}/api/webhook/hookd-downloads`;
    const runner = createExampleRunner({ NOTIFY_URL: url });
    try {
      const report = await runner.run({ file: FILE, payload: PAYLOAD, allowNet: [new URL(url).host] });
      assert.equal(report.status, 'ok', report.error?.message);
      assert.deepEqual(report.result, { sent: true, status: 200 });
      const request = receiver.requests.at(-1)!;
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/api/webhook/hookd-downloads');
      assert.equal(request.headers['content-type'], 'application/json');
      const body = JSON.parse(request.body);
      assert.equal(body.title, 'Download completed');
      assert.equal(body.message, 'Frieren S01E01 (1.5 GiB)');
      assert.deepEqual(body.data, { eventId: report.event.id, title: PAYLOAD.title, path: PAYLOAD.path, size: PAYLOAD.size });
      assert.match(report.logs.at(-1)?.message ?? '', /notified 127\.0\.0\.1:\d+/);
    } finally {
      await runner.close();
    }
  });

  it('logs that it is not configured and sends nothing when NOTIFY_URL is not set', async () => {
    const before = receiver.requests.length;
    const runner = createExampleRunner();
    try {
      const report = await runner.run({ file: FILE, payload: PAYLOAD, allowNet: [new URL(receiver.url).host] });
      assert.equal(report.status, 'ok');
      assert.deepEqual(report.result, { sent: false });
      assert.match(report.logs[0]?.message ?? '', /not configured: set NOTIFY_URL/);
      assert.equal(report.denials, undefined, 'testing with `in` is not a denied read');
      assert.equal(receiver.requests.length, before);
    } finally {
      await runner.close();
    }
  });

  it('fails with the permission to add when NOTIFY_URL names a host its permissions.net lacks', async () => {
    const runner = createExampleRunner({ NOTIFY_URL: `${receiver.url}/hook` });
    try {
      const report = await runner.run({ file: FILE, payload: PAYLOAD });
      assert.equal(report.status, 'error');
      assert.match(report.error?.message ?? '', /net access to "127\.0\.0\.1:\d+" not granted: add it to permissions\.net/);
      assert.equal(report.denials?.[0]?.capability, 'net');
    } finally {
      await runner.close();
    }
  });

  it('fails, naming the host and status, when the receiver answers an error', async () => {
    const url = `${receiver.url}/fail`;
    const runner = createExampleRunner({ NOTIFY_URL: url });
    try {
      const report = await runner.run({ file: FILE, payload: PAYLOAD, allowNet: [new URL(url).host] });
      assert.equal(report.status, 'error');
      assert.match(report.error?.message ?? '', /127\.0\.0\.1:\d+ answered 500/);
      assert.equal(report.error?.line, 45, 'the error points at the throw in the hook file');
    } finally {
      await runner.close();
    }
  });
});
