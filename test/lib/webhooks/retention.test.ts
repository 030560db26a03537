import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createDeliveriesStore, type DeliveryStatus } from '../../../lib/db/deliveries-store.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('finished deliveries and their attempts older than the retention are pruned; owed ones never', async () => {
  const temp = makeTempDir();
  const db = openDatabase({ file: join(temp.dir, 'h.sqlite'), synchronous: 'normal' });
  try {
    await migrateLatest(db);
    const store = createDeliveriesStore(db);
    const old = Date.now() - 10 * 86_400_000;
    const rows: Array<[string, DeliveryStatus, number]> = [
      ['old-ok', 'succeeded', old],
      ['old-failed', 'failed', old],
      ['old-pending', 'pending', old],
      ['new-ok', 'succeeded', Date.now()],
    ];
    await store.insertMany(
      rows.map(([id, status, at]) => ({ id, webhookId: 'wh', eventId: 'e', eventType: 't', body: '{}', status, attempts: 1, nextAttemptAt: at, createdAt: at })),
    );
    for (const [id, , at] of rows) {
      await store.insertAttempt({ deliveryId: id, webhookId: 'wh', attemptedAt: at, durationMs: 1, statusCode: 200, responseBody: '', error: null });
    }
    const removed = await store.pruneBefore(Date.now() - 86_400_000);
    assert.equal(removed, 2);
    assert.equal(await store.get('old-ok'), undefined);
    assert.equal(await store.get('old-failed'), undefined);
    assert.ok(await store.get('old-pending'));
    assert.ok(await store.get('new-ok'));
    const left = await store.listAttempts(['old-ok', 'old-failed', 'old-pending', 'new-ok']);
    assert.deepEqual(left.map((a) => a.deliveryId).sort(), ['new-ok', 'old-pending']);
  } finally {
    await db.destroy();
    temp.remove();
  }
});
