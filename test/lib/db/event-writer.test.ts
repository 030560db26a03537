import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Knex } from 'knex';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createEventWriter, type EventWriterDeps } from '../../../lib/db/event-writer.ts';
import { createEventsStore, type EventRecord, type NewEvent } from '../../../lib/db/events-store.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

function newEvent(over: Partial<NewEvent> = {}): NewEvent {
  const now = Date.now();
  return {
    id: randomUUID(),
    generatedId: true,
    type: 'media.added',
    payload: { title: 'Dune' },
    status: 'done',
    occurredAt: new Date(now).toISOString(),
    receivedAt: now,
    source: 'test',
    causationId: null,
    depth: 0,
    ...over,
  };
}

async function withWriter(
  extra: Omit<EventWriterDeps, 'db' | 'store'>,
  run: (w: ReturnType<typeof createEventWriter>, db: Knex, store: ReturnType<typeof createEventsStore>) => Promise<void>,
) {
  const temp = makeTempDir();
  const db = openDatabase({ file: join(temp.dir, 'h.sqlite'), synchronous: 'normal' });
  try {
    await migrateLatest(db);
    const store = createEventsStore(db);
    const writer = createEventWriter({ db, store, ...extra });
    await run(writer, db, store);
    await writer.drain();
  } finally {
    await db.destroy();
    temp.remove();
  }
}

test('concurrent writes of generated ids are stored, each caller gets its own results with seq in order', async () => {
  let afterInsertCalls = 0;
  await withWriter(
    { afterInsert: async () => void afterInsertCalls++, mayWriteAfterInsert: async () => false },
    async (writer, _db, store) => {
      const batches = Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => newEvent()));
      const results = await Promise.all(batches.map((b) => writer.write(b)));
      const seqs: number[] = [];
      results.forEach((r, i) => {
        assert.deepEqual(r.map((x) => x.event.id), batches[i]!.map((e) => e.id));
        assert.ok(r.every((x) => x.created));
        seqs.push(...r.map((x) => x.event.seq));
      });
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      for (const r of results.flat()) assert.equal((await store.get(r.event.id))?.seq, r.event.seq);
      assert.equal(afterInsertCalls, 0, 'nothing to add: no transaction work was asked for');
    },
  );
});

test('when afterInsert may write, it runs in the same transaction and a failure there stores nothing', async () => {
  const seen: EventRecord[][] = [];
  let fail = false;
  await withWriter(
    {
      afterInsert: async (trx, created) => {
        seen.push(created);
        // The events are visible inside the transaction that adds the outbox rows.
        const [row] = await trx('events').where('id', created[0]!.id).select('seq');
        assert.equal(row.seq, created[0]!.seq);
        if (fail) throw new Error('outbox failed');
      },
      mayWriteAfterInsert: async () => true,
    },
    async (writer, _db, store) => {
      const ok = newEvent();
      await writer.write([ok]);
      assert.equal(seen.length, 1);
      assert.ok(await store.get(ok.id));
      fail = true;
      const lost = newEvent();
      await assert.rejects(writer.write([lost]), /outbox failed/);
      assert.equal(await store.get(lost.id), undefined);
    },
  );
});

test('client-chosen ids stay idempotent: a repeat, in a later write or the same one, creates nothing', async () => {
  await withWriter({}, async (writer) => {
    const first = newEvent({ id: 'order-1', generatedId: false });
    const [created] = await writer.write([first]);
    assert.equal(created!.created, true);
    const [again, twin] = await writer.write([
      newEvent({ id: 'order-1', generatedId: false, payload: { other: true } }),
      newEvent({ id: 'order-1', generatedId: false }),
    ]);
    assert.equal(again!.created, false);
    assert.deepEqual(again!.event.payload, { title: 'Dune' });
    assert.equal(again!.event.seq, created!.event.seq);
    assert.equal(twin!.created, false);
    const [fresh, dup] = await writer.write([newEvent({ id: 'order-2', generatedId: false }), newEvent({ id: 'order-2', generatedId: false })]);
    assert.equal(fresh!.created, true);
    assert.equal(dup!.created, false);
    assert.equal(dup!.event.seq, fresh!.event.seq);
  });
});

test('a write larger than one statement is committed whole, with every seq set', async () => {
  await withWriter({ mayWriteAfterInsert: async () => false }, async (writer, _db, store) => {
    const events = Array.from({ length: 250 }, () => newEvent());
    const results = await writer.write(events);
    assert.equal(results.length, 250);
    const seqs = results.map((r) => r.event.seq);
    assert.equal(new Set(seqs).size, 250);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal((await store.get(events[249]!.id))?.seq, seqs[249]);
  });
});
