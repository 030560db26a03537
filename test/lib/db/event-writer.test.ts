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

test('one event that cannot be serialized fails alone; the rest of its batch is stored', async () => {
  await withWriter({ mayWriteAfterInsert: async () => false }, async (writer, _db, store) => {
    const events = Array.from({ length: 10 }, () => newEvent());
    events[4] = newEvent({ payload: { size: 10n } });
    const outcomes = await writer.writeEach(events);
    assert.deepEqual(outcomes.map((o) => o.ok), events.map((_, i) => i !== 4));
    const failed = outcomes[4] as { ok: false; error: { code: string; status: number; message: string } };
    assert.equal(failed.error.status, 422);
    assert.match(failed.error.message, /payload cannot be serialized as JSON/);
    for (const [i, e] of events.entries()) assert.equal(Boolean(await store.get(e.id)), i !== 4);
  });
});

test('a write the database refuses (a constraint) fails alone among 60 concurrent writes', async () => {
  await withWriter({}, async (writer, _db, store) => {
    const [taken] = await writer.write([newEvent({ id: 'taken', generatedId: false })]);
    const valid = Array.from({ length: 60 }, () => newEvent({ generatedId: false, id: randomUUID() }));
    const poisoned = newEvent({ generatedId: false, id: randomUUID() });
    // A real SQLITE_CONSTRAINT inside the shared transaction: a second row with an existing id.
    const writes = [
      ...valid.slice(0, 30).map((e) => writer.write([e])),
      writer.write([poisoned], async (trx) => {
        await trx('events').insert({ id: 'taken', type: 't', payload: '{}', status: 'done', occurred_at: 'x', received_at: 1, depth: 0 });
      }),
      ...valid.slice(30).map((e) => writer.write([e])),
    ];
    const results = await Promise.allSettled(writes);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
    assert.match(String((results[30] as PromiseRejectedResult).reason), /SQLITE_CONSTRAINT/);
    for (const e of valid) assert.ok(await store.get(e.id), `${e.id} stored`);
    assert.equal(await store.get(poisoned.id), undefined, 'the poisoned write stored nothing');
    assert.equal((await store.get('taken'))?.seq, taken!.event.seq);
  });
});

test('a full database fails writes as STORAGE_FULL; once there is room, writes go on and nothing stored is lost', async () => {
  await withWriter({ mayWriteAfterInsert: async () => false }, async (writer, db, store) => {
    const before = await writer.write([newEvent()]);
    const pages = ((await db.raw('PRAGMA page_count')) as Array<{ page_count: number }>)[0]!.page_count;
    // The writer's own (only) connection may not grow the file any more: a real SQLITE_FULL.
    await db.raw(`PRAGMA max_page_count = ${pages}`);
    const big = { title: 'x'.repeat(20_000) };
    // The single-statement path (generated ids) and the transaction path (client ids: SQLite
    // rolls back by itself, and knex's own ROLLBACK then fails) both report the cause.
    for (const events of [[newEvent({ payload: big })], [newEvent({ payload: big, id: 'client-1', generatedId: false })]]) {
      const failed = await writer.write(events).then(() => undefined, (err: unknown) => err as { code: string; status: number; details: { retryAfter: number } });
      assert.equal(failed?.code, 'STORAGE_FULL');
      assert.equal(failed?.status, 507);
      assert.ok(failed!.details.retryAfter > 0);
    }
    const each = await writer.writeEach([newEvent({ payload: big }), newEvent({ payload: big })]);
    assert.deepEqual(each.map((o) => !o.ok && (o.error as { code: string }).code), ['STORAGE_FULL', 'STORAGE_FULL']);
    await db.raw('PRAGMA max_page_count = 1073741823');
    const after = await writer.write([newEvent({ payload: big, id: 'client-1', generatedId: false })]);
    assert.equal(after[0]!.created, true);
    assert.ok(await store.get(before[0]!.event.id), 'what was stored before is intact');
  });
});
