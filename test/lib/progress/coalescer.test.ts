// Latest-wins coalescing per (type, key): leading edge at once, one latest per tick, bounded keys.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCoalescer, progressKeyOf, type ProgressUpdate } from '../../../lib/progress/coalescer.ts';

const at = '2026-01-01T00:00:00.000Z';
const update = (type: string, key: string, data: unknown): ProgressUpdate => ({ type, key, data, at, bytes: JSON.stringify(data).length });

function setup(windowMs = 100, maxKeys = 1000, maxPendingBytes = 1 << 20) {
  const out: ProgressUpdate[] = [];
  const c = createCoalescer({ windowMs, maxKeys, maxPendingBytes, deliver: (u) => out.push(u) });
  return { c, out };
}

describe('progressKeyOf', () => {
  const cases: Array<[string, unknown, string]> = [
    ['payload.key first', { key: 'k', downloadId: 'd', id: 'i' }, 'k'],
    ['then downloadId', { downloadId: 'd', id: 'i' }, 'd'],
    ['then id', { id: 'i' }, 'i'],
    ['a number as text', { downloadId: 42 }, '42'],
    ['a non-string key is skipped', { key: { x: 1 }, id: 'i' }, 'i'],
    ['none: one value per type', { pct: 3 }, ''],
    ['a non-object payload', 'x', ''],
    ['null', null, ''],
  ];
  for (const [name, payload, key] of cases) test(name, () => assert.equal(progressKeyOf(payload), key));
});

describe('coalescer', () => {
  test("an idle key's first update is delivered at once", () => {
    const { c, out } = setup();
    c.offer(update('download.progress', 'a', 1));
    assert.deepEqual(out.map((u) => u.data), [1]);
  });

  test('a burst on one key delivers the first at once and only the latest on the tick', () => {
    const { c, out } = setup();
    for (let i = 1; i <= 50; i++) c.offer(update('download.progress', 'a', i));
    assert.deepEqual(out.map((u) => u.data), [1]);
    c.tick();
    assert.deepEqual(out.map((u) => u.data), [1, 50]);
    assert.deepEqual(c.stats(), { received: 50, delivered: 2, coalesced: 48, passedThrough: 0, trackedKeys: 1, pending: 0, pendingBytes: 0 });
  });

  test('different keys and different types never replace each other', () => {
    const { c, out } = setup();
    c.offer(update('download.progress', 'a', 1));
    c.offer(update('download.progress', 'b', 1));
    c.offer(update('job.progress', 'a', 1));
    c.offer(update('download.progress', 'a', 2));
    c.offer(update('download.progress', 'b', 2));
    c.tick();
    assert.deepEqual(
      out.map((u) => `${u.type}/${u.key}=${u.data}`),
      ['download.progress/a=1', 'download.progress/b=1', 'job.progress/a=1', 'download.progress/a=2', 'download.progress/b=2'],
    );
  });

  test('a key that sent nothing for a whole window is forgotten, so its next update is immediate', () => {
    const { c, out } = setup();
    c.offer(update('t', 'a', 1));
    c.offer(update('t', 'a', 2));
    c.tick(); // delivers 2; the key stays throttled for one more window
    assert.equal(c.size(), 1);
    c.tick(); // nothing sent in that window: forgotten
    assert.equal(c.size(), 0);
    c.offer(update('t', 'a', 3));
    assert.deepEqual(out.map((u) => u.data), [1, 2, 3]);
  });

  test('a 100k burst over 10 keys keeps 10 entries and delivers one per key per tick', () => {
    const { c, out } = setup();
    for (let i = 0; i < 100_000; i++) {
      c.offer(update('download.progress', `k${i % 10}`, i));
      if (i % 10_000 === 9_999) c.tick();
      assert.ok(c.size() <= 10);
    }
    c.tick();
    const s = c.stats();
    assert.equal(s.received, 100_000);
    assert.equal(s.received, s.delivered + s.coalesced + s.pending, 'every update is delivered, coalesced or held');
    assert.ok(s.delivered <= 10 + 10 * 11, `delivered ${s.delivered}`);
    assert.equal(out.at(-1)!.data, 99_999, 'the very latest value is delivered');
  });

  test('past maxKeys new keys pass through uncoalesced and the map stays bounded', () => {
    const { c, out } = setup(100, 100);
    for (let i = 0; i < 10_000; i++) c.offer(update('scan.progress', `f${i}`, i));
    assert.equal(c.size(), 100);
    assert.equal(out.length, 10_000);
    assert.equal(c.stats().passedThrough, 9_900);
  });

  test('held updates never pass maxPendingBytes: one that would goes out at once, and the latest still wins', () => {
    const { c, out } = setup(100, 1000, 1000);
    const big = (n: number) => ({ ...update('download.progress', `k${n % 3}`, n), bytes: 400 });
    for (let n = 0; n < 3; n++) c.offer(big(n)); // leading edges: delivered, nothing held
    for (let n = 3; n < 300; n++) {
      c.offer(big(n));
      assert.ok(c.stats().pendingBytes <= 1000, `held ${c.stats().pendingBytes} bytes`);
    }
    c.tick();
    const s = c.stats();
    assert.ok(s.passedThrough > 0, 'some updates went out at once instead of being held');
    assert.equal(s.received, s.delivered + s.coalesced + s.pending);
    const lastPerKey = new Map(out.map((u) => [u.key, u.data]));
    assert.deepEqual([...lastPerKey.entries()].sort(), [['k0', 297], ['k1', 298], ['k2', 299]]);
  });

  test('a window of 0 turns coalescing off', () => {
    const { c, out } = setup(0);
    for (let i = 0; i < 5; i++) c.offer(update('t', 'a', i));
    assert.equal(out.length, 5);
    assert.equal(c.size(), 0);
  });

  test('flush delivers what is held and forgets every key', () => {
    const { c, out } = setup();
    c.offer(update('t', 'a', 1));
    c.offer(update('t', 'a', 2));
    c.flush();
    assert.deepEqual(out.map((u) => u.data), [1, 2]);
    assert.equal(c.size(), 0);
  });
});
