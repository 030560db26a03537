// Progress memory as an attacker would grow it: payloads too large or too deep, many large
// values at once, oversize progress from a hook. Every entry and the whole of GET /progress
// stay within their byte bounds, and GET /progress never fails.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';

const ENTRY = 1024; // progress.maxEntrySize
const LATEST = 16 * 1024; // progress.maxLatestSize

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon({
    config: {
      server: { bodyLimit: '4MiB' },
      events: { maxBatch: 2000 },
      hooks: { watch: false },
      progress: { maxEntrySize: ENTRY, maxLatestSize: LATEST, rateLimit: 0, coalesceWindow: '20ms' },
    },
  });
});
after(() => d.close());

const post = (body: unknown, opts: Record<string, unknown> = {}) => d.call('POST', '/events', body, { token: EVENTS_TOKEN, ...opts });
const stats = async () => (await d.call('GET', '/stats', undefined, { token: EVENTS_TOKEN })).body.progress;
const getProgress = () => d.call('GET', '/progress', undefined, { token: EVENTS_TOKEN });

describe('posted progress', () => {
  test('a payload over progress.maxEntrySize gets 413 and is neither held nor served', async () => {
    const r = await post({ type: 'download.progress', payload: { downloadId: 'huge', blob: 'x'.repeat(1024 * 1024) } });
    assert.equal(r.status, 413, r.text);
    assert.equal(r.body.error.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(r.body.error.details.limit, ENTRY);
    assert.equal(r.body.error.details.pointer, '/payload');
    assert.match(r.body.error.message, /progress\.maxEntrySize/);
    assert.ok(!(await getProgress()).body.items.some((i: { key: string }) => i.key === 'huge'));
  });

  test('in a batch the oversize item alone gets 413; the others go live', async () => {
    const items = [
      { type: 'download.progress', payload: { downloadId: 'b-1', pct: 1 } },
      { type: 'download.progress', payload: { downloadId: 'b-2', blob: 'x'.repeat(ENTRY) } },
      { type: 'media.added', payload: { title: 'stored beside it' } },
    ];
    const r = await post(items);
    assert.equal(r.status, 207, r.text);
    assert.deepEqual(r.body.results.map((x: { status: number }) => x.status), [202, 413, 202]);
    assert.equal(r.body.results[1].details.pointer, '/1/payload');
  });

  test('a deep progress payload gets 422 and GET /progress keeps answering 200', async () => {
    const r = await post(undefined, { raw: `{"type":"download.progress","payload":{"downloadId":"deep","d":${'['.repeat(5000)}${']'.repeat(5000)}}}` });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.error.code, 'JSON_TOO_DEEP');
    const progress = await getProgress();
    assert.equal(progress.status, 200);
    assert.ok(!progress.body.items.some((i: { key: string }) => i.key === 'deep'));
  });

  test('many large values: what is held and what GET /progress answers stay within progress.maxLatestSize', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ type: 'scan.progress', payload: { key: `big-${i}`, blob: 'y'.repeat(ENTRY - 40) } }));
    for (let round = 0; round < 3; round++) {
      const r = await post(items);
      assert.equal(r.body.accepted, 1000, r.text);
      const s = await stats();
      assert.ok(s.latestBytes <= LATEST, `GET /progress holds ${s.latestBytes} bytes`);
      assert.ok(s.pendingBytes <= LATEST, `the coalescer holds ${s.pendingBytes} bytes`);
    }
    const s = await waitFor(async () => {
      const p = await stats();
      return p.pending === 0 && p;
    }, 'the coalescer to send what it holds');
    assert.ok(s.latestEvicted > 0, 'older values were let go to stay within the bound');
    const progress = await getProgress();
    assert.equal(progress.status, 200);
    // Each entry adds its type, key and times to its payload: a bounded overhead per entry.
    assert.ok(progress.text.length <= LATEST + progress.body.items.length * 200, `GET /progress answered ${progress.text.length} bytes`);
    const keys = progress.body.items.map((i: { key: string }) => i.key).filter((k: string) => k.startsWith('big-'));
    assert.ok(keys.length > 0 && keys.length < 1000);
    assert.ok(keys.includes('big-999'), 'the most recent values are kept');
  });
});

describe('progress from a hook', () => {
  test('an update over progress.maxEntrySize is dropped with a logged reason and counted in /stats', async () => {
    const before = (await stats()).rejected;
    const hook = await d.call('POST', '/hooks', {
      name: 'big-progress',
      mode: 'action',
      events: ['library.scan.completed'],
      source: `export default (e, ctx) => { ctx.progress({ key: 'big', data: { blob: 'z'.repeat(3000) } }); ctx.progress({ key: 'small', pct: 50 }); }`,
    });
    assert.equal(hook.status, 201, hook.text);
    assert.equal((await post({ type: 'library.scan.completed', payload: {} })).status, 202);
    await waitFor(async () => (await stats()).rejected > before, 'the rejected counter');
    const logged = d.logs.lines().find((l) => l.msg === 'progress from a hook dropped' && l.hook === 'big-progress');
    assert.match(String(logged?.reason), /larger than 1024 bytes as JSON at \/data\/blob \(progress\.maxEntrySize is 1024/);
    const items = await waitFor(async () => {
      const list = (await getProgress()).body.items as Array<{ key: string }>;
      return list.some((i) => i.key === 'hook:big-progress:small') && list;
    }, 'the small update');
    assert.ok(!items.some((i) => i.key === 'hook:big-progress:big'));
    assert.equal((await d.call('DELETE', `/hooks/${hook.body.id}`)).status, 204);
  });
});
