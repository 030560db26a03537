// The invocations store: inserts, per-hook paging newest first, per-event order, and pruning
// by age and by a per-hook count (each says how many rows went).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInvocationsStore, type NewInvocation } from '../../../../lib/db/invocations-store.ts';
import type { OpenDb } from './index.ts';
import { withDb } from './with-db.ts';

function run(hookId: string, eventId: string, over: Partial<NewInvocation> = {}): NewInvocation {
  return { eventId, hookId, hookVersion: 1, mode: 'action', status: 'ok', durationMs: 1.25, error: null, logs: [], ...over };
}

export function invocationsStoreContract(open: OpenDb): void {
  test('invocations round-trip and page per hook newest first', () =>
    withDb(open, async (db) => {
      const store = createInvocationsStore(db);
      await store.insertMany([
        run('h1', 'e1', { durationMs: 0.123456789, logs: [{ level: 'info', message: 'hi', at: 't' }] }),
        run('h2', 'e1', { status: 'error', error: { message: 'boom', line: 3 } }),
        run('h1', 'e2'),
        run('h1', 'e3'),
      ]);
      const { items: page1, more } = await store.listForHook('h1', { limit: 2, maxBytes: 1_000_000 });
      assert.deepEqual([page1.map((i) => i.eventId), more], [['e3', 'e2'], true]);
      const { items: page2 } = await store.listForHook('h1', { limit: 2, maxBytes: 1_000_000, beforeId: page1.at(-1)!.id });
      assert.deepEqual(page2.map((i) => i.eventId), ['e1']);
      assert.equal(page2[0]!.durationMs, 0.123456789, 'a double, not a float4');
      assert.deepEqual(page2[0]!.logs, [{ level: 'info', message: 'hi', at: 't' }]);
      const forEvent = await store.listForEvent('e1');
      assert.deepEqual(forEvent.map((i) => i.hookId), ['h1', 'h2']);
      assert.deepEqual(forEvent[1]!.error, { message: 'boom', line: 3 });
      assert.equal(typeof forEvent[0]!.createdAt, 'number');
    }));

  test('a page of runs ends at its byte bound of logs and errors (one run always fits)', () =>
    withDb(open, async (db) => {
      const store = createInvocationsStore(db);
      const line = { level: 'info' as const, message: 'x'.repeat(1000), at: 't' };
      await store.insertMany([run('h1', 'a', { error: { message: 'y'.repeat(1000) } }), run('h1', 'b'), run('h1', 'c', { logs: [line] })]);
      const page = async (maxBytes: number, beforeId?: number) => {
        const { items, more } = await store.listForHook('h1', { limit: 10, maxBytes, beforeId });
        return { events: items.map((i) => i.eventId), more, last: items.at(-1)?.id };
      };
      const first = await page(1100);
      assert.deepEqual([first.events, first.more], [['c', 'b'], true]);
      assert.deepEqual((await page(10, first.last)).events, ['a'], 'the error counts; one run past the bound still fits');
    }));

  test('pruneBeyondCount keeps the newest runs of each hook and returns how many went', () =>
    withDb(open, async (db) => {
      const store = createInvocationsStore(db);
      await store.insertMany(['a', 'b', 'c', 'd'].map((e) => run('h1', e)));
      await store.insertMany(['x', 'y'].map((e) => run('h2', e)));
      assert.equal(await store.pruneBeyondCount(2), 2);
      assert.deepEqual((await store.listForHook('h1', { limit: 10, maxBytes: 1_000_000 })).items.map((i) => i.eventId), ['d', 'c']);
      assert.deepEqual((await store.listForHook('h2', { limit: 10, maxBytes: 1_000_000 })).items.map((i) => i.eventId), ['y', 'x']);
      assert.equal(await store.pruneBeyondCount(2), 0);
      assert.equal(await store.pruneOlderThan(0), 0);
      assert.equal(await store.pruneOlderThan(Date.now() + 60_000), 4);
    }));
}
