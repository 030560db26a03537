import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGroupCommit } from '../../../lib/db/group-commit.ts';

test('an item added as soon as the previous one resolves is still committed', async () => {
  const flushed: number[][] = [];
  const commits = createGroupCommit<number, number>({
    maxBatchWeight: 10,
    flush: async (items) => {
      flushed.push(items);
      return items.map((i) => i * 2);
    },
  });
  // Each add runs in the microtask right after the previous result: the loop that served the
  // previous item must not swallow it.
  for (let i = 1; i <= 5; i++) assert.equal(await commits.add(i), i * 2);
  assert.deepEqual(flushed, [[1], [2], [3], [4], [5]]);
  await commits.drain();
});

test('items queued during a flush go together in the next one, within the weight limit', async () => {
  const flushed: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const commits = createGroupCommit<string, string>({
    maxBatchWeight: 3,
    flush: async (items) => {
      flushed.push(items);
      if (flushed.length === 1) await gate;
      return items;
    },
  });
  const first = commits.add('a');
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(flushed, [['a']], 'the first flush started');
  const all = [first, ...['b', 'c', 'd', 'e', 'f'].map((x) => commits.add(x))];
  release();
  assert.deepEqual(await Promise.all(all), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.deepEqual(flushed, [['a'], ['b', 'c', 'd'], ['e', 'f']]);
});

test('items added in the same event-loop turn share the first flush of a quiet period', async () => {
  const flushed: number[][] = [];
  const commits = createGroupCommit<number, number>({
    maxBatchWeight: 10,
    flush: async (items) => {
      flushed.push(items);
      return items;
    },
  });
  // As requests read in one poll would: one add, then others from later callbacks of the same turn.
  const added = [commits.add(1)];
  await Promise.resolve();
  added.push(commits.add(2));
  process.nextTick(() => added.push(commits.add(3)));
  await new Promise<void>((resolve) => queueMicrotask(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(await Promise.all(added), [1, 2, 3]);
  assert.deepEqual(flushed, [[1, 2, 3]]);
});

test('a failed flush rejects only its own batch', async () => {
  const commits = createGroupCommit<number, number>({
    maxBatchWeight: 1,
    flush: async ([item]) => {
      if (item === 2) throw new Error('disk full');
      return [item!];
    },
  });
  const results = await Promise.allSettled([1, 2, 3].map((i) => commits.add(i)));
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});

test('one item that cannot be committed fails alone; the others of its batch are committed', async () => {
  const committed: number[] = [];
  const flushes: number[][] = [];
  const commits = createGroupCommit<number, number>({
    maxBatchWeight: 100,
    flush: async (items) => {
      flushes.push(items);
      if (items.includes(13)) throw new TypeError('item 13 cannot be serialized');
      committed.push(...items);
      return items;
    },
  });
  const results = await Promise.allSettled(commits.addAll(Array.from({ length: 40 }, (_, i) => i)));
  assert.deepEqual(results.map((r, i) => (r.status === 'fulfilled' ? r.value : `failed ${i}`)), Array.from({ length: 40 }, (_, i) => (i === 13 ? 'failed 13' : i)));
  assert.match(String((results[13] as PromiseRejectedResult).reason), /item 13/);
  assert.deepEqual(committed.sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 13));
  assert.ok(flushes.length <= 2 * Math.ceil(Math.log2(40)) + 2, `found the culprit in ${flushes.length} flushes, not one per item`);
});

test('a storage failure fails the whole batch at once, typed, without retrying item by item', async () => {
  let flushes = 0;
  const commits = createGroupCommit<number, number>({
    maxBatchWeight: 100,
    flush: async () => {
      flushes++;
      throw Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL', errno: 13 });
    },
  });
  const results = await Promise.allSettled(commits.addAll([1, 2, 3, 4]));
  assert.equal(flushes, 1);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.equal((r as PromiseRejectedResult).reason.code, 'STORAGE_FULL');
    assert.equal((r as PromiseRejectedResult).reason.status, 507);
  }
});
