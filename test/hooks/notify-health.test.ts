// hooks/health.issue/50-notify-health.js: a health issue an *arr app reports, POSTed to a real
// local receiver with ctx.fetch, or logged at its level when no notifier is configured.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { createExampleRunner } from './example-runner.ts';

const FILE = 'hooks/health.issue/50-notify-health.js';
const PAYLOAD = { app: 'radarr', instanceName: 'Radarr 4K', level: 'error', message: 'Indexers unavailable due to failures: NZBgeek', source: 'IndexerStatusCheck', wikiUrl: 'https://wiki.servarr.com/radarr/system#indexers-are-unavailable-due-to-failures' };

describe(FILE, () => {
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver(() => ({ status: 200 }));
  });
  after(() => receiver.close());

  it('posts the issue with the app and its level to NOTIFY_URL', async () => {
    const url = `${receiver.url}/api/webhook/health`;
    const runner = createExampleRunner({ NOTIFY_URL: url });
    try {
      const report = await runner.run({ file: FILE, payload: PAYLOAD, allowNet: [new URL(url).host] });
      assert.equal(report.status, 'ok', report.error?.message);
      assert.deepEqual(report.result, { sent: true, status: 200 });
      const body = JSON.parse(receiver.requests.at(-1)!.body);
      assert.equal(body.title, 'Health error');
      assert.equal(body.message, `Radarr 4K: ${PAYLOAD.message} (${PAYLOAD.wikiUrl})`);
      assert.deepEqual(body.data, { eventId: report.event.id, app: 'radarr', source: 'IndexerStatusCheck', level: 'error' });
    } finally {
      await runner.close();
    }
  });

  it('logs the issue at its level when NOTIFY_URL is not set', async () => {
    const runner = createExampleRunner();
    try {
      const report = await runner.run({ file: FILE, payload: { ...PAYLOAD, level: 'warning' } });
      assert.equal(report.status, 'ok');
      assert.deepEqual(report.result, { sent: false });
      assert.equal(report.logs[0]?.level, 'warn');
      assert.match(report.logs[0]?.message ?? '', /^health warning: Radarr 4K: Indexers unavailable/);
    } finally {
      await runner.close();
    }
  });
});
