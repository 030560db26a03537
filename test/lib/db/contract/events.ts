// The events store and the event writer: idempotent inserts, arrival order, JSON round trips,
// listing and paging, the pending -> done path, and pruning that keeps owed work.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createEventWriter } from '../../../../lib/db/event-writer.ts';
import { createEventsStore, INSERT_CHUNK, type NewEvent } from '../../../../lib/db/events-store.ts';
import type { OpenDb } from './index.ts';
import { withDb } from './with-db.ts';

export function newEvent(over: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    generatedId: true,
    type: 'media.added',
    payload: { title: 'Dune' },
    occurredAt: '2026-01-01T00:00:00.000Z',
    receivedAt: 1_700_000_000_000,
    source: 'test',
    causationId: null,
    depth: 0,
    ...over,
  };
}

export function eventsStoreContract(open: OpenDb): void {
  test('generated ids are inserted in one statement with increasing seq in the given order', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      await store.insertGenerated([newEvent()]); // seqs of a second statement start past the first's
      // A full chunk, in an order unlike the ids' (which sort by time): each seq must be its own row's.
      const events = Array.from({ length: INSERT_CHUNK }, (_, i) => newEvent({ id: `gen-${String((i * 37) % INSERT_CHUNK).padStart(3, '0')}`, payload: { i } }));
      const results = await store.insertGenerated(events);
      assert.ok(results.every((r) => r.created));
      const seqs = results.map((r) => r.event.seq);
      assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'seq follows the given order');
      assert.ok(seqs[0]! > 1);
      for (const [i, e] of events.entries()) {
        const stored = await store.get(e.id);
        assert.equal(stored?.seq, seqs[i], `the seq answered for ${e.id} is its stored row's`);
        assert.deepEqual(stored?.payload, { i });
      }
    }));

  test('a client id inserted twice, or repeated in one batch, creates one event and returns the stored one', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const first = newEvent({ id: 'client-1', generatedId: false, payload: { v: 1 } });
      const [a] = await db.transaction((trx) => store.insertMany(trx, [first]));
      assert.equal(a!.created, true);
      const again = await db.transaction((trx) =>
        store.insertMany(trx, [newEvent({ id: 'client-1', generatedId: false, payload: { v: 2 } }), newEvent({ id: 'client-2', generatedId: false }), newEvent({ id: 'client-2', generatedId: false })]),
      );
      assert.deepEqual(again.map((r) => r.created), [false, true, false]);
      assert.deepEqual(again[0]!.event.payload, { v: 1 }, 'the stored payload, not the new one');
      assert.equal(again[0]!.event.seq, a!.event.seq);
      assert.equal(again[2]!.event.seq, again[1]!.event.seq);
      assert.equal((await store.list({ limit: 10 })).length, 2);
    }));

  test('payloads, final payloads and emitter lists round-trip as JSON, odd characters included', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const payload = { text: 'nul\u0000 é 😀 \ud800', nested: [1, 2.5, null, true, { deep: 'x' }], __proto__key: 1 };
      const e = newEvent({ payload, finalPayload: { filtered: true }, emittedBy: ['hook-a'], source: 'hook:a', causationId: 'root', depth: 2 });
      await db.transaction((trx) => store.insertMany(trx, [e]));
      const got = await store.get(e.id);
      assert.deepEqual(got?.payload, JSON.parse(JSON.stringify(payload)));
      assert.deepEqual(got?.finalPayload, { filtered: true });
      assert.deepEqual(got?.emittedBy, ['hook-a']);
      assert.equal(got?.receivedAt, e.receivedAt);
      assert.equal(typeof got?.receivedAt, 'number');
      assert.deepEqual([got?.source, got?.causationId, got?.depth, got?.status], ['hook:a', 'root', 2, 'pending']);
      assert.equal(await store.get('absent'), undefined);
    }));

  test('one insert of posted and emitted events stores each one\'s causation, depth, emitters and final payload as given', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const posted = newEvent({ payload: { p: 1 } });
      const emitted = newEvent({ emittedBy: ['hook-a'], causationId: posted.id, depth: 1, finalPayload: { f: 1 } });
      const row = async (id: string) => {
        const e = (await store.get(id))!;
        return [e.causationId, e.depth, e.emittedBy, e.finalPayload, e.payload];
      };
      // Mixed in one statement (the general row shape), then posted ones alone (the plain shape).
      await store.insertGenerated([posted, emitted]);
      const alone = [newEvent({ payload: { p: 2 } }), newEvent({ payload: { p: 3 } })];
      await store.insertGenerated(alone);
      assert.deepEqual(await row(posted.id), [null, 0, [], undefined, { p: 1 }]);
      assert.deepEqual(await row(emitted.id), [posted.id, 1, ['hook-a'], { f: 1 }, emitted.payload]);
      assert.deepEqual(await row(alone[1]!.id), [null, 0, [], undefined, { p: 3 }]);
    }));

  test('list is newest first, filtered by types and since, and pages with afterSeq', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const made = await store.insertGenerated([
        newEvent({ type: 'a.x', receivedAt: 1000 }),
        newEvent({ type: 'b.x', receivedAt: 2000 }),
        newEvent({ type: 'a.x', receivedAt: 3000 }),
        newEvent({ type: 'a.x', receivedAt: 4000 }),
      ]);
      const ids = made.map((r) => r.event.id);
      assert.deepEqual((await store.list({ limit: 10 })).map((e) => e.id), [...ids].reverse());
      assert.deepEqual((await store.list({ limit: 10, types: ['a.x'] })).map((e) => e.id), [ids[3], ids[2], ids[0]]);
      assert.deepEqual((await store.list({ limit: 10, since: 2000 })).map((e) => e.id), [ids[3], ids[2], ids[1]]);
      const page1 = await store.list({ limit: 2 });
      const page2 = await store.list({ limit: 2, afterSeq: page1.at(-1)!.seq });
      assert.deepEqual([...page1, ...page2].map((e) => e.id), [...ids].reverse());
      const after = async (seq: number, types: string[] | undefined, limit: number, maxBytes = 1_000_000) => {
        const page = await store.listAfterSeq(seq, types, { limit, maxBytes });
        return { ids: page.items.map((e) => e.id), more: page.more };
      };
      assert.deepEqual(await after(made[1]!.event.seq, ['a.x'], 10), { ids: [ids[2], ids[3]], more: false });
      assert.deepEqual(await after(0, undefined, 2), { ids: ids.slice(0, 2), more: true });
      assert.deepEqual(await after(0, undefined, 4), { ids, more: false }, 'a full page with nothing after it');
      assert.deepEqual(await after(0, undefined, 10, 1), { ids: ids.slice(0, 1), more: true }, 'the byte bound cuts the replay page, one event always fits');
    }));

  test('pending events are listed in arrival order, counted and marked done; done ones are not owed', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const [p1, d, p2] = [newEvent(), newEvent({ status: 'done' }), newEvent()];
      await store.insertGenerated([p1!, d!, p2!]);
      assert.deepEqual((await store.listPending(10)).map((e) => e.id), [p1!.id, p2!.id]);
      assert.deepEqual((await store.listPending(10, (await store.get(p1!.id))!.seq)).map((e) => e.id), [p2!.id]);
      assert.equal(await store.countPending(), 2);
      await store.markDone([p1!.id, p2!.id]);
      assert.equal(await store.countPending(), 0);
      assert.equal((await store.get(p1!.id))?.status, 'done');
    }));

  test('pruning removes old dispatched events only, never owed ones, and says how many', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const [oldDone, oldPending, newDone] = [newEvent({ status: 'done', receivedAt: 100 }), newEvent({ receivedAt: 100 }), newEvent({ status: 'done', receivedAt: 5000 })];
      await store.insertGenerated([oldDone!, oldPending!, newDone!]);
      assert.equal(await store.pruneBefore(1000), 1);
      assert.equal(await store.get(oldDone!.id), undefined);
      assert.ok(await store.get(oldPending!.id));
      assert.ok(await store.get(newDone!.id));
    }));

  test('the event writer group-commits events with their outbox rows and reports a duplicate id as not created', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const outbox: string[] = [];
      const writer = createEventWriter({ db, store, afterInsert: async (_trx, created) => void outbox.push(...created.map((e) => e.id)) });
      const results = await Promise.all([
        writer.write([newEvent({ id: 'same', generatedId: false })]),
        writer.write([newEvent(), newEvent()]),
        writer.write([newEvent({ id: 'same', generatedId: false })]),
      ]);
      assert.deepEqual(results.map((r) => r.map((x) => x.created)), [[true], [true, true], [false]]);
      assert.equal(outbox.length, 3, 'afterInsert sees the created events only');
      const outcomes = await writer.writeEach([newEvent(), newEvent({ payload: { bad: 1n } as unknown })]);
      assert.equal(outcomes[0]!.ok, true);
      assert.equal(outcomes[1]!.ok, false, 'a payload that is not JSON fails alone');
      await writer.drain();
      assert.equal((await store.list({ limit: 10 })).length, 4);
    }));
}
