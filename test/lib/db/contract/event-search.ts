// Finding events: status, a time range, text in the id, type, source or payload (case-insensitive,
// wildcards literal), an event's children, the paging cursor under filters, and the emitted tree
// with its bounds. The same answers on every backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventsStore, type NewEvent } from '../../../../lib/db/events-store.ts';
import { newEvent } from './events.ts';
import type { OpenDb } from './index.ts';
import { withDb } from './with-db.ts';

export function eventSearchContract(open: OpenDb): void {
  test('status and until narrow the list; since and until together make a range', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const made = await store.insertGenerated([
        newEvent({ receivedAt: 1000 }),
        newEvent({ receivedAt: 2000, status: 'done' }),
        newEvent({ receivedAt: 3000 }),
        newEvent({ receivedAt: 4000, status: 'done' }),
      ]);
      const ids = made.map((r) => r.event.id);
      const list = async (q: Parameters<typeof store.list>[0]) => (await store.list(q)).map((e) => e.id);
      assert.deepEqual(await list({ limit: 10, statuses: ['done'] }), [ids[3], ids[1]]);
      assert.deepEqual(await list({ limit: 10, statuses: ['pending', 'done'] }), [...ids].reverse());
      assert.deepEqual(await list({ limit: 10, until: 3000 }), [ids[2], ids[1], ids[0]]);
      assert.deepEqual(await list({ limit: 10, since: 2000, until: 3000 }), [ids[2], ids[1]]);
      assert.deepEqual(await list({ limit: 10, since: 2000, until: 3000, statuses: ['pending'] }), [ids[2]]);
    }));

  test('a page ends at its byte bound (payload and final payload counted, one event always), and says more may exist', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const big = 'x'.repeat(1000);
      const made = await store.insertGenerated([
        newEvent({ payload: { big } }),
        newEvent({ payload: { n: 1 }, finalPayload: { big } }),
        newEvent({ payload: { big } }),
        newEvent({ payload: { n: 2 } }),
      ]);
      const ids = made.map((r) => r.event.id);
      const page = async (limit: number, maxBytes: number, afterSeq?: number) => {
        const { items, more } = await store.listPage({ limit, afterSeq }, maxBytes);
        return { ids: items.map((e) => e.id), more, last: items.at(-1)?.seq };
      };
      assert.deepEqual(await page(10, 1_000_000), { ids: [...ids].reverse(), more: false, last: made[0]!.event.seq });
      assert.deepEqual((await page(4, 1_000_000)).more, false, 'a full page with nothing past it has no next one');
      assert.deepEqual((await page(3, 1_000_000)).more, true, 'a full page with more past it');
      const first = await page(10, 1500);
      assert.deepEqual(first, { ids: [ids[3], ids[2]], more: true, last: made[2]!.event.seq });
      assert.deepEqual(await page(10, 1500, first.last), { ids: [ids[1]], more: true, last: made[1]!.event.seq }, 'the final payload counts');
      assert.deepEqual(await page(10, 10, made[1]!.event.seq), { ids: [ids[0]], more: false, last: made[0]!.event.seq }, 'one event past the bound still fits');
    }));

  test('text is found in the id, type, source and payloads, whatever the case of ASCII letters', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const events: NewEvent[] = [
        newEvent({ id: 'order-XYZ-1', generatedId: false, payload: { n: 1 } }),
        newEvent({ type: 'media.renamed', payload: { n: 2 } }),
        newEvent({ source: 'Radarr-Main', payload: { n: 3 } }),
        newEvent({ payload: { title: 'The Expanse' } }),
        newEvent({ payload: { n: 5 }, finalPayload: { n: 5, tag: 'Remux' } }),
        newEvent({ payload: { n: 6 } }),
      ];
      await db.transaction((trx) => store.insertMany(trx, events));
      // The events found, as their places in `events` (1-based).
      const find = async (text: string) => (await store.list({ limit: 10, text })).map((e) => events.findIndex((m) => m.id === e.id) + 1).sort();
      assert.deepEqual(await find('xyz'), [1]);
      assert.deepEqual(await find('RENAMED'), [2]);
      assert.deepEqual(await find('radarr'), [3]);
      assert.deepEqual(await find('eXpAnSe'), [4]);
      assert.deepEqual(await find('remux'), [5], 'the payload as stored after the filters');
      assert.deepEqual(await find('nothing like it'), []);
    }));

  test('LIKE wildcards and the escape character in the text are matched literally; quotes as the payload spells them', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const events = [
        newEvent({ payload: { s: '100% done' } }),
        newEvent({ payload: { s: '100 x done' } }),
        newEvent({ payload: { s: 'a_b' } }),
        newEvent({ payload: { s: 'axb' } }),
        newEvent({ payload: { s: 'wow!' } }),
        newEvent({ payload: { s: 'say "hi"\nthere' } }),
        newEvent({ payload: { s: 'back\\slash' } }),
      ];
      await store.insertGenerated(events);
      const find = async (text: string) => (await store.list({ limit: 10, text })).map((e) => (e.payload as { s: string }).s);
      assert.deepEqual(await find('100%'), ['100% done']);
      assert.deepEqual(await find('%'), ['100% done']);
      assert.deepEqual(await find('a_b'), ['a_b']);
      assert.deepEqual(await find('_'), ['a_b']);
      assert.deepEqual(await find('wow!'), ['wow!']);
      assert.deepEqual(await find('!'), ['wow!']);
      assert.deepEqual(await find('"hi"'), ['say "hi"\nthere'], 'a quote, stored as \\" in the JSON text');
      assert.deepEqual(await find('hi"\nthere'), ['say "hi"\nthere'], 'a newline, stored as \\n');
      assert.deepEqual(await find('k\\s'), ['back\\slash'], 'a backslash, stored doubled');
      assert.deepEqual(await find('"s":"axb"'), ['axb'], 'a fragment of the JSON text itself');
    }));

  test('the cursor pages through a text search, and causation lists one event\'s children', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const made = await store.insertGenerated(Array.from({ length: 7 }, (_, i) => newEvent({ payload: { title: i % 2 ? 'match' : 'other', i } })));
      const matching = made.filter((r) => (r.event.payload as { i: number }).i % 2).map((r) => r.event.id).reverse();
      const seen: string[] = [];
      let afterSeq: number | undefined;
      for (;;) {
        const page = await store.list({ limit: 2, text: 'MATCH', afterSeq });
        seen.push(...page.map((e) => e.id));
        if (page.length < 2) break;
        afterSeq = page.at(-1)!.seq;
      }
      assert.deepEqual(seen, matching);

      const root = made[0]!.event.id;
      const children = await store.insertGenerated([newEvent({ causationId: root, depth: 1 }), newEvent({ causationId: 'elsewhere', depth: 1 }), newEvent({ causationId: root, depth: 1 })]);
      assert.deepEqual((await store.list({ limit: 10, causationId: root })).map((e) => e.id), [children[2]!.event.id, children[0]!.event.id]);
    }));

  test('the emitted tree goes level by level, bounded by levels and by limit, and says when it was cut', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const [root] = await store.insertGenerated([newEvent()]);
      const rootId = root!.event.id;
      const level1 = await store.insertGenerated([newEvent({ causationId: rootId, depth: 1 }), newEvent({ causationId: rootId, depth: 1 })]);
      const level2 = await store.insertGenerated([newEvent({ causationId: level1[1]!.event.id, depth: 2 })]);
      const level3 = await store.insertGenerated([newEvent({ causationId: level2[0]!.event.id, depth: 3 })]);
      const ids = (t: { items: Array<{ id: string }> }) => t.items.map((e) => e.id);
      const all = [...level1, ...level2, ...level3].map((r) => r.event.id);

      const whole = await store.listEmitted(rootId, { levels: 5, limit: 100, maxBytes: 1_000_000 });
      assert.deepEqual(ids(whole), all);
      assert.equal(whole.truncated, false);
      assert.deepEqual(whole.items.map((e) => [e.causationId, e.depth]), [[rootId, 1], [rootId, 1], [level1[1]!.event.id, 2], [level2[0]!.event.id, 3]]);

      const twoLevels = await store.listEmitted(rootId, { levels: 2, limit: 100, maxBytes: 1_000_000 });
      assert.deepEqual(ids(twoLevels), all.slice(0, 3));
      assert.equal(twoLevels.truncated, true, 'a third level exists');

      const three = await store.listEmitted(rootId, { levels: 5, limit: 3, maxBytes: 1_000_000 });
      assert.deepEqual(ids(three), all.slice(0, 3));
      assert.equal(three.truncated, true);
      const exact = await store.listEmitted(rootId, { levels: 5, limit: 4, maxBytes: 1_000_000 });
      assert.equal(exact.truncated, false, 'exactly limit events, none left');

      assert.deepEqual(await store.listEmitted(level3[0]!.event.id, { levels: 5, limit: 10, maxBytes: 1_000_000 }), { items: [], truncated: false });
    }));

  test('the emitted tree also ends at its byte bound across levels (one event always fits), and says it was cut', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const big = 'x'.repeat(1000);
      const [root] = await store.insertGenerated([newEvent()]);
      const rootId = root!.event.id;
      const level1 = await store.insertGenerated([newEvent({ causationId: rootId, depth: 1, payload: { big } })]);
      const level2 = await store.insertGenerated([
        newEvent({ causationId: level1[0]!.event.id, depth: 2, payload: { n: 1 } }),
        newEvent({ causationId: level1[0]!.event.id, depth: 2, payload: { big } }),
      ]);
      const ids = (t: { items: Array<{ id: string }> }) => t.items.map((e) => e.id);
      const cut = await store.listEmitted(rootId, { levels: 5, limit: 100, maxBytes: 1500 });
      assert.deepEqual(ids(cut), [level1[0]!.event.id, level2[0]!.event.id]);
      assert.equal(cut.truncated, true);
      const one = await store.listEmitted(rootId, { levels: 5, limit: 100, maxBytes: 10 });
      assert.deepEqual(ids(one), [level1[0]!.event.id], 'one event past the bound still fits');
      assert.equal(one.truncated, true);
      assert.equal((await store.listEmitted(rootId, { levels: 5, limit: 100, maxBytes: 1_000_000 })).truncated, false);
    }));
}
