// Retention on real SQLite: old dispatched events go, owed ones stay; invocations go by age
// and beyond a per-hook count, newest kept.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { migrateLatest, openDatabase, type Db } from '../../../lib/db/connect.ts';
import { createEventsStore } from '../../../lib/db/events-store.ts';
import { createInvocationsStore } from '../../../lib/db/invocations-store.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
let db: Db;
before(async () => {
  db = openDatabase({ file: join(temp.dir, 'r.sqlite'), synchronous: 'normal' });
  await migrateLatest(db);
});
after(async () => {
  await db.destroy();
  temp.remove();
});

test('events older than the retention are pruned, except those whose action hooks are owed', async () => {
  const events = createEventsStore(db);
  const old = Date.now() - 40 * 86_400_000;
  const at = new Date(old).toISOString();
  const base = { type: 'media.added', payload: {}, occurredAt: at, source: null, causationId: null, depth: 0 };
  await db.transaction((trx) =>
    events.insertMany(trx, [
      { ...base, id: 'old-done', status: 'done', receivedAt: old },
      { ...base, id: 'old-pending', status: 'pending', receivedAt: old },
      { ...base, id: 'new-done', status: 'done', receivedAt: Date.now() },
    ]),
  );
  assert.equal(await events.pruneBefore(Date.now() - 30 * 86_400_000), 1);
  assert.equal(await events.get('old-done'), undefined);
  assert.ok(await events.get('old-pending'));
  assert.ok(await events.get('new-done'));
});

test('invocations are pruned by age, and beyond a count per hook keeping the newest', async () => {
  const invocations = createInvocationsStore(db);
  const run = (hookId: string, eventId: string) => ({ eventId, hookId, hookVersion: 1, mode: 'action' as const, status: 'ok', durationMs: 1, error: null, logs: [] });
  await invocations.insertMany(['a1', 'a2', 'a3', 'a4'].map((e) => run('hook-a', e)));
  await invocations.insertMany(['b1', 'b2'].map((e) => run('hook-b', e)));
  assert.equal(await invocations.pruneBeyondCount(2), 2);
  assert.deepEqual(((await invocations.listForHook('hook-a', { limit: 10, maxBytes: 1_000_000 })).items).map((i) => i.eventId), ['a4', 'a3']);
  assert.equal(((await invocations.listForHook('hook-b', { limit: 10, maxBytes: 1_000_000 })).items).length, 2);
  assert.equal(await invocations.pruneOlderThan(Date.now() - 60_000), 0, 'nothing is old yet');
  assert.equal(await invocations.pruneOlderThan(Date.now() + 60_000), 4);
  assert.deepEqual((await invocations.listForHook('hook-b', { limit: 10, maxBytes: 1_000_000 })).items, []);
});
