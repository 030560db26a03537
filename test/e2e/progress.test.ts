// Progress events through the real daemon: GET /progress (latest per key), GET /stats, and a
// 100k-event burst that is coalesced with bounded, structurally measured memory.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { openStream } from '../lib/progress/sse-reader.ts';

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon({
    config: {
      server: { bodyLimit: '8MiB' },
      events: { maxBatch: 10000 },
      progress: { maxKeys: 1000, maxLatestEntries: 1000, rateLimit: 0 },
      stream: { clientQueueLimit: 1000 },
    },
  });
});
after(() => d.close());

const ndjson = (items: unknown[]) => items.map((i) => JSON.stringify(i)).join('\n');
const postBatch = (items: unknown[]) =>
  d.call('POST', '/events', undefined, { token: EVENTS_TOKEN, raw: ndjson(items), headers: { 'content-type': 'application/x-ndjson' } });
const stats = async () => (await d.call('GET', '/stats', undefined, { token: EVENTS_TOKEN })).body;

/** Polls until nothing is held back by the coalescer (the trailing window has gone out). */
async function settled(): Promise<any> {
  for (let i = 0; i < 500; i++) {
    const s = await stats();
    if (s.progress.pending === 0) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('progress updates were still held after 10 s');
}

describe('GET /progress', () => {
  test('answers the latest value per (type, key), filtered by types and key', async () => {
    for (const pct of [10, 20, 30]) await d.call('POST', '/events', { type: 'download.progress', payload: { downloadId: 'p-a', pct } }, { token: EVENTS_TOKEN });
    await d.call('POST', '/events', { type: 'download.progress', payload: { downloadId: 'p-b', pct: 99 } }, { token: EVENTS_TOKEN });
    await d.call('POST', '/events', { type: 'scan.progress', payload: { key: 'p-a', file: 3 } }, { token: EVENTS_TOKEN });
    await settled();
    const r = await d.call('GET', '/progress?types=download.*&key=p-a', undefined, { token: EVENTS_TOKEN });
    assert.equal(r.status, 200);
    assert.equal(r.body.items.length, 1);
    assert.deepEqual(r.body.items[0].payload, { downloadId: 'p-a', pct: 30 });
    assert.ok(Date.parse(r.body.items[0].expiresAt) > Date.now());
    const all = await d.call('GET', '/progress', undefined, { token: EVENTS_TOKEN });
    const mine = all.body.items.filter((i: { key: string }) => i.key.startsWith('p-')).map((i: { type: string; key: string }) => `${i.type}/${i.key}`);
    assert.deepEqual(mine.sort(), ['download.progress/p-a', 'download.progress/p-b', 'scan.progress/p-a']);
  });

  test('needs a token with the events scope (or ?access_token=)', async () => {
    assert.equal((await d.call('GET', '/progress', undefined, { token: null })).status, 401);
    assert.equal((await d.call('GET', '/stats', undefined, { token: null })).status, 401);
    assert.equal((await d.call('GET', `/progress?access_token=${EVENTS_TOKEN}`, undefined, { token: null })).status, 200);
  });

  test('progress events are not stored', async () => {
    const list = await d.call('GET', '/events?type=download.progress');
    assert.deepEqual(list.body.items, []);
  });
});

describe('a 100k progress burst', () => {
  test('on 10 keys is coalesced: bounded state, every update counted, the latest value kept', async () => {
    const s = await openStream(d.url, '/stream?types=job.progress');
    const before = (await stats()).progress;
    let peakTracked = 0;
    for (let batch = 0; batch < 10; batch++) {
      const items = Array.from({ length: 10_000 }, (_, i) => ({ type: 'job.progress', payload: { key: `burst-${i % 10}`, n: batch * 10_000 + i } }));
      const r = await postBatch(items);
      assert.equal(r.status, 207);
      assert.equal(r.body.accepted, 10_000);
      peakTracked = Math.max(peakTracked, (await stats()).progress.trackedKeys);
    }
    const after = await settled();
    const p = after.progress;
    const received = p.received - before.received;
    const delivered = p.delivered - before.delivered;
    const coalesced = p.coalesced - before.coalesced;
    assert.equal(received, 100_000);
    assert.equal(received, delivered + coalesced, 'every update is either delivered or replaced by a later one');
    assert.ok(coalesced > 0);
    // Keys of earlier tests may still sit in their coalescing window: only the burst's 10 may add.
    assert.ok(peakTracked <= 10 + before.trackedKeys, `tracked keys ${peakTracked} (before: ${before.trackedKeys})`);
    assert.ok(after.stream.peakQueued <= 1000, 'the SSE client queue stayed within its bound');
    const latest = await d.call('GET', '/progress?types=job.progress', undefined, { token: EVENTS_TOKEN });
    const burst = latest.body.items.filter((i: { key: string }) => i.key.startsWith('burst-'));
    assert.equal(burst.length, 10);
    for (const item of burst) assert.equal(item.payload.n, 99_990 + Number(item.key.slice(6)), `latest of ${item.key}`);
    // The SSE client saw each key's final value as well.
    await s.waitFor((e) => e.json?.payload?.n === 99_999);
    s.close();
  });

  test('on 100k distinct keys keeps the coalescer and GET /progress within their bounds', async () => {
    const before = (await stats()).progress;
    let peak = { tracked: 0, latest: 0 };
    for (let batch = 0; batch < 10; batch++) {
      const items = Array.from({ length: 10_000 }, (_, i) => ({ type: 'scan.progress', payload: { key: `file-${batch}-${i}` } }));
      assert.equal((await postBatch(items)).status, 207);
      const p = (await stats()).progress;
      peak = { tracked: Math.max(peak.tracked, p.trackedKeys), latest: Math.max(peak.latest, p.latestEntries) };
    }
    const p = (await settled()).progress;
    assert.equal(p.received - before.received, 100_000);
    assert.ok(peak.tracked <= 1000, `coalescer keys ${peak.tracked} (maxKeys 1000)`);
    assert.ok(peak.latest <= 1000 && p.latestEntries <= 1000, `latest entries ${peak.latest} (maxLatestEntries 1000)`);
    assert.ok(p.passedThrough - before.passedThrough > 0, 'keys past the bound passed through');
    assert.ok(p.latestEvicted > 0);
  });
});
