// The latest value per (type, key) behind GET /progress: replaced on update, expired, bounded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLatestStore } from '../../../lib/progress/latest.ts';

const at = '2026-01-01T00:00:00.000Z';

describe('latest store', () => {
  test('keeps one value per (type, key), the latest', () => {
    const s = createLatestStore({ ttlMs: 1000, maxEntries: 10, maxBytes: 1 << 20 });
    s.set({ type: 'download.progress', key: 'a', data: 1, at, bytes: 1 }, 0);
    s.set({ type: 'download.progress', key: 'a', data: 2, at, bytes: 1 }, 1);
    s.set({ type: 'job.progress', key: 'a', data: 3, at, bytes: 1 }, 2);
    assert.deepEqual(
      s.list(3).map((e) => [e.type, e.key, e.data]),
      [['download.progress', 'a', 2], ['job.progress', 'a', 3]],
    );
  });

  test('entries expire after the TTL since their last update', () => {
    const s = createLatestStore({ ttlMs: 100, maxEntries: 10, maxBytes: 1 << 20 });
    s.set({ type: 't', key: 'old', data: 1, at, bytes: 1 }, 0);
    s.set({ type: 't', key: 'fresh', data: 1, at, bytes: 1 }, 50);
    s.set({ type: 't', key: 'old-updated', data: 1, at, bytes: 1 }, 10);
    s.set({ type: 't', key: 'old-updated', data: 2, at, bytes: 1 }, 60);
    assert.deepEqual(s.list(120).map((e) => e.key), ['fresh', 'old-updated']);
    assert.equal(s.size(), 2, 'expired entries are deleted, not only hidden');
  });

  test('past maxEntries the least recently updated key goes', () => {
    const s = createLatestStore({ ttlMs: 1000, maxEntries: 3, maxBytes: 1 << 20 });
    for (const [i, key] of ['a', 'b', 'c'].entries()) s.set({ type: 't', key, data: 0, at, bytes: 1 }, i);
    s.set({ type: 't', key: 'a', data: 1, at, bytes: 1 }, 3); // a is now the most recent
    s.set({ type: 't', key: 'd', data: 0, at, bytes: 1 }, 4);
    assert.deepEqual(s.list(5).map((e) => e.key), ['c', 'a', 'd']);
    assert.equal(s.evicted(), 1);
  });

  test('list filters by type', () => {
    const s = createLatestStore({ ttlMs: 1000, maxEntries: 10, maxBytes: 1 << 20 });
    s.set({ type: 'download.progress', key: 'a', data: 1, at, bytes: 1 }, 0);
    s.set({ type: 'scan.progress', key: 'a', data: 1, at, bytes: 1 }, 0);
    assert.deepEqual(s.list(1, (t) => t.startsWith('download.')).map((e) => e.type), ['download.progress']);
  });

  test('the values together never pass maxBytes: the least recently updated go first', () => {
    const s = createLatestStore({ ttlMs: 1000, maxEntries: 1000, maxBytes: 1000 });
    for (let i = 0; i < 100; i++) {
      s.set({ type: 't', key: `k${i}`, data: 'x'.repeat(300), at, bytes: 302 }, i);
      assert.ok(s.bytes() <= 1000, `holds ${s.bytes()} bytes`);
    }
    assert.deepEqual(s.list(100).map((e) => e.key), ['k97', 'k98', 'k99']);
    assert.equal(s.evicted(), 97);
    s.set({ type: 't', key: 'k98', data: 1, at, bytes: 1 }, 100); // a smaller value for a held key frees its bytes
    assert.equal(s.bytes(), 302 + 302 + 1);
  });
});
