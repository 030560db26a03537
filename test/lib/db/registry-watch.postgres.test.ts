// The registry watch on PostgreSQL: a webhook or hook added, changed (a new version) or removed
// through another connection is reported by NOTIFY with its id, a failure count alone is not,
// and without LISTEN the periodic check still reports the table. Skipped when unreachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Knex } from 'knex';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createNotifyListener } from '../../../lib/db/notify-listener.ts';
import { createRegistryWatch, type RegistryChange } from '../../../lib/db/registry-watch.ts';
import { createWebhooksStore, type WebhooksStore } from '../../../lib/db/webhooks-store.ts';
import { createTestSchema, postgresReachable, shownUrl } from '../../helpers/postgres.ts';
import { newWebhook } from './contract/webhooks.ts';

const reachable = await postgresReachable();
const skip = reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`;

/** A watch whose changes arrive in a queue the test takes from in order. */
async function watching(url: string, options: { intervalMs: number; listen: boolean }) {
  const db = openDatabase({ client: 'postgres', url, file: '', synchronous: 'full', pool: 2, statementTimeoutMs: 30_000 });
  const seen: RegistryChange[] = [];
  let wake: (() => void) | undefined;
  const onError = (err: unknown) => assert.fail(String(err));
  const listener = options.listen ? createNotifyListener({ db, reconnectMs: 1_000, onError }) : undefined;
  const watch = createRegistryWatch({
    db,
    listener,
    intervalMs: options.intervalMs,
    onError,
    onChange: async (changes) => {
      seen.push(...changes);
      wake?.();
    },
  });
  await listener?.start();
  await watch.start();
  return {
    async next(): Promise<RegistryChange> {
      while (seen.length === 0) await new Promise<void>((r) => (wake = r));
      return seen.shift()!;
    },
    async close() {
      await watch.stop();
      await listener?.stop();
      await db.destroy();
    },
  };
}

/** A fresh schema, a watch on it, and another connection (another daemon) that changes it. */
async function withWatch(options: { intervalMs: number; listen: boolean }, run: (w: Awaited<ReturnType<typeof watching>>, store: WebhooksStore, other: Knex) => Promise<void>) {
  const schema = await createTestSchema();
  const other = openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 1, statementTimeoutMs: 30_000 });
  try {
    await migrateLatest(other);
    const w = await watching(schema.url, options);
    try {
      await run(w, createWebhooksStore(other), other);
    } finally {
      await w.close();
    }
  } finally {
    await other.destroy();
    await schema.drop();
  }
}

test('NOTIFY reports each added, changed and removed webhook by id, and not a failure count', { skip }, () =>
  // An hour between checks: whatever arrives here came by NOTIFY.
  withWatch({ intervalMs: 3_600_000, listen: true }, async (w, store, other) => {
    await store.insert(newWebhook('w1'));
    assert.deepEqual(await w.next(), { table: 'webhooks', id: 'w1' });
    await other.transaction((trx) => store.incrementFailures('w1', trx));
    await store.update('w1', { enabled: false, disabledReason: 'test' }, Date.now());
    assert.deepEqual(await w.next(), { table: 'webhooks', id: 'w1' }, 'the version bump, and nothing for the failure count before it');
    await store.remove('w1');
    assert.deepEqual(await w.next(), { table: 'webhooks', id: 'w1' });
  }));

test('without LISTEN, the periodic check reports a changed table', { skip }, () =>
  withWatch({ intervalMs: 50, listen: false }, async (w, store) => {
    await store.insert(newWebhook('w2'));
    assert.deepEqual(await w.next(), { table: 'webhooks' });
  }));
