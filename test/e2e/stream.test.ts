// GET /stream against the real daemon: type filters, Last-Event-ID replay of business events,
// gaps, the query-token bridge for EventSource, heartbeats, and shutdown with open streams.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { openStream, type StreamReader } from '../lib/progress/sse-reader.ts';

let d: TestDaemon;
const open: StreamReader[] = [];
before(async () => {
  d = await startTestDaemon({ config: { stream: { replayLimit: 3, heartbeat: '100ms' }, catalog: { 'test.filtered': { kind: 'business' } } } });
});
after(async () => {
  for (const s of open) s.close();
  await d.close();
});

async function stream(path: string, options: Parameters<typeof openStream>[2] = {}): Promise<StreamReader> {
  const s = await openStream(d.url, path, options);
  open.push(s);
  return s;
}

const post = async (type: string, payload: unknown, id?: string) => {
  const r = await d.call('POST', '/events', { type, payload, ...(id ? { id } : {}) }, { token: EVENTS_TOKEN });
  assert.equal(r.status, 202, r.text);
  return r.body as { id: string };
};

describe('GET /stream', () => {
  test('a client gets only the types it asked for, progress and business alike', async () => {
    const s = await stream('/stream?types=download.*,job.progress', { token: EVENTS_TOKEN });
    assert.equal(s.status, 200);
    assert.match(s.headers.get('content-type')!, /^text\/event-stream/);
    await post('media.added', { title: 'not wanted' });
    await post('scan.progress', { key: 'x' });
    await post('download.progress', { downloadId: 'd1', pct: 5 });
    await post('job.progress', { key: 'j1' });
    const grabbed = await post('download.grabbed', { title: 'Dune' });
    await s.waitFor((e) => e.event === 'download.grabbed');
    await s.waitFor((e) => e.event === 'job.progress');
    assert.deepEqual(new Set(s.parser.events.map((e) => e.event)), new Set(['download.progress', 'job.progress', 'download.grabbed']));
    const e = s.parser.events.find((x) => x.event === 'download.grabbed')!;
    assert.equal(e.lastEventId, grabbed.id);
    assert.deepEqual({ ...e.json, at: undefined }, { channel: 'event', type: 'download.grabbed', id: grabbed.id, payload: { title: 'Dune' }, at: undefined });
    s.close();
  });

  test('Last-Event-ID replays the business events after it, filtered, then continues live without repeats', async () => {
    const first = await post('media.updated', { title: 'A' }, 'resume-1');
    await post('media.updated', { title: 'B' }, 'resume-2');
    await post('health.issue', { message: 'filtered out' }, 'resume-3');
    await post('media.updated', { title: 'C' }, 'resume-4');
    const s = await stream('/stream?types=media.updated', { headers: { 'last-event-id': first.id } });
    await s.waitFor((e) => e.lastEventId === 'resume-4');
    await post('media.updated', { title: 'D' }, 'resume-5');
    await s.waitFor((e) => e.lastEventId === 'resume-5');
    assert.deepEqual(s.parser.events.map((e) => e.lastEventId), ['resume-2', 'resume-4', 'resume-5']);
    s.close();
  });

  test('a replayed event carries the same payload live SSE sent: the final one, after its filter chain', async () => {
    const hook = await d.call('POST', '/hooks', { name: 'replay-filter', mode: 'filter', events: ['test.filtered'], source: 'export default () => ({ patch: { title: "filtered" } })' });
    assert.equal(hook.status, 201, hook.text);
    try {
      const first = await post('test.filtered', { title: 'before' }, 'final-1');
      const live = await stream('/stream?types=test.filtered', { token: EVENTS_TOKEN });
      const waited = await d.call('POST', '/events?wait=true', { type: 'test.filtered', payload: { title: 'posted' }, id: 'final-2' }, { token: EVENTS_TOKEN });
      assert.equal(waited.status, 200, waited.text);
      await live.waitFor((e) => e.lastEventId === 'final-2');
      const replay = await stream('/stream?types=test.filtered', { headers: { 'last-event-id': first.id } });
      await replay.waitFor((e) => e.lastEventId === 'final-2');
      const payloadOf = (r: StreamReader) => r.parser.events.find((e) => e.lastEventId === 'final-2')!.json.payload;
      assert.deepEqual(payloadOf(live), { title: 'filtered' });
      assert.deepEqual(payloadOf(replay), { title: 'filtered' });
      live.close();
      replay.close();
    } finally {
      assert.equal((await d.call('DELETE', `/hooks/${hook.body.id}`)).status, 204);
    }
  });

  test('?lastEventId= works too, for clients that cannot set headers on the first connect', async () => {
    await post('media.removed', { title: 'A' }, 'q-1');
    await post('media.removed', { title: 'B' }, 'q-2');
    const s = await stream('/stream?types=media.removed&lastEventId=q-1');
    await s.waitFor((e) => e.lastEventId === 'q-2');
    assert.deepEqual(s.parser.events.map((e) => e.json.payload.title), ['B']);
    s.close();
  });

  test('more missed events than replayLimit: the first ones, then a "gap" event', async () => {
    const first = await post('media.imported', { title: '0' }, 'gap-0');
    for (let i = 1; i <= 5; i++) await post('media.imported', { title: String(i) }, `gap-${i}`);
    const s = await stream('/stream?types=media.imported', { headers: { 'last-event-id': first.id } });
    const gap = await s.waitFor((e) => e.event === 'gap');
    assert.equal(gap.json.reason, 'replay-limit');
    assert.deepEqual(s.parser.events.map((e) => e.lastEventId), ['gap-1', 'gap-2', 'gap-3', 'gap-3']);
    s.close();
  });

  test('an unknown Last-Event-ID gets a "gap" event and the stream goes live', async () => {
    const s = await stream('/stream?types=config.updated', { headers: { 'last-event-id': 'pruned-long-ago' } });
    const gap = await s.waitFor((e) => e.event === 'gap');
    assert.equal(gap.json.reason, 'unknown-last-event-id');
    await post('config.updated', {});
    await s.waitFor((e) => e.event === 'config.updated');
    s.close();
  });

  test('heartbeats are comments, invisible to EventSource listeners', async () => {
    const s = await stream('/stream?types=none.such');
    for (let i = 0; i < 200 && !s.parser.comments.includes('ping'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(s.parser.comments.includes('ping'));
    assert.equal(s.parser.events.length, 0);
    s.close();
  });

  test('a browser EventSource authenticates with ?access_token=; no token is 401, a bad pattern 400', async () => {
    const s = await stream(`/stream?types=media.added&access_token=${EVENTS_TOKEN}`, { token: null });
    assert.equal(s.status, 200);
    s.close();
    const none = await stream('/stream', { token: null });
    assert.equal(none.status, 401);
    const bad = await d.call('GET', '/stream?types=Bad Pattern!');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION');
  });

  test('a closed client is forgotten by the daemon', async () => {
    const before = (await d.call('GET', '/stats')).body.stream.clients;
    const s = await stream('/stream');
    await s.waitFor(() => true, 10).catch(() => {});
    assert.equal((await d.call('GET', '/stats')).body.stream.clients, before + 1);
    s.close();
    let now = before + 1;
    for (let i = 0; i < 100 && now !== before; i++) {
      await new Promise((r) => setTimeout(r, 20));
      now = (await d.call('GET', '/stats')).body.stream.clients;
    }
    assert.equal(now, before);
  });
});

test('stopping the daemon ends open streams cleanly instead of waiting for them', async () => {
  const own = await startTestDaemon({ config: { server: { shutdownTimeout: '60s' } } });
  try {
    const s = await openStream(own.url, '/stream');
    await own.stop(); // with a 60 s shutdown bound, a stream holding the server open would show
    assert.equal(await s.ended, true, 'the server ended the stream, not a connection reset');
  } finally {
    await own.close();
  }
});
