// The webhooks and deliveries routers served in the daemon's Koa app (serve-routers.ts) on the
// real webhooks subsystem over temp SQLite, its sender not started, and a local receiver for
// what is sent at once (pings).
import { createDeliveriesRouter } from '../../lib/api/deliveries-router.ts';
import { describeInstance } from '../../lib/instance.ts';
import { createWebhooksRouter } from '../../lib/api/webhooks-router.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { createWebhooks, type Webhooks } from '../../lib/webhooks/index.ts';
import { serveRouters, type ServedRouters } from './serve-routers.ts';
import { createTestLogger, defaultCatalog, openTestDb, type TestDb } from './unit-parts.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

export interface WebhooksApi {
  t: TestDb;
  api: ServedRouters;
  webhooks: Webhooks;
  receiver: WebhookReceiver;
  close(): Promise<void>;
}

export async function serveWebhooksApi(): Promise<WebhooksApi> {
  const t = await openTestDb();
  const receiver = await startWebhookReceiver();
  const { log } = createTestLogger();
  const config = loadConfig({ env: {} });
  const webhooks = createWebhooks({ db: t.db, log, catalog: defaultCatalog(), config: config.webhooks, instance: describeInstance(config.storage), observeAttempt: () => {} });
  const { endpoints } = webhooks;
  const api = await serveRouters({
    db: t.db,
    log,
    routers: [createWebhooksRouter({ endpoints, bodyLimit: 100_000, maxDepth: 32, pageSize: 50 }), createDeliveriesRouter({ endpoints })],
  });
  return {
    t,
    api,
    webhooks,
    receiver,
    async close() {
      await api.close();
      await webhooks.stop();
      await receiver.close();
      await t.close();
    },
  };
}
