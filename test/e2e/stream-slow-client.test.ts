// A client that stops reading GET /stream: its queue stays within the bound and it is dropped,
// while a reading client on the same daemon keeps its stream. Measured by the daemon's counters.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { openStream } from '../lib/progress/sse-reader.ts';

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon({
    config: {
      server: { bodyLimit: '8MiB' },
      events: { maxBatch: 10000 },
      stream: { clientQueueLimit: 200, clientQueueBytes: '1MiB' },
      progress: { rateLimit: 0 },
    },
  });
});
after(() => d.close());

const stats = async () => (await d.call('GET', '/stats')).body;

test('a client that stops reading is dropped at its queue bound and does not grow memory', async () => {
  const { port } = new URL(d.url);
  const stalled = connect(Number(port), '127.0.0.1');
  await new Promise((resolve) => stalled.once('connect', resolve));
  stalled.write(`GET /stream?types=scan.progress HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
  stalled.pause(); // never reads: the kernel buffers fill, then the daemon's queue
  const closed = new Promise((resolve) => stalled.once('close', resolve));
  stalled.on('error', () => {});
  const reader = await openStream(d.url, '/stream?types=media.added');
  for (let i = 0; i < 100 && (await stats()).stream.clients < 2; i++) await new Promise((r) => setTimeout(r, 20));

  // Distinct keys are never coalesced away, and 4 KiB each they soon fill every buffer.
  const padding = 'x'.repeat(4096);
  let peakQueued = 0;
  for (let batch = 0; batch < 40 && (await stats()).stream.dropped === 0; batch++) {
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ type: 'scan.progress', payload: { key: `f-${batch}-${i}`, padding } }));
    const r = await d.call('POST', '/events', undefined, { token: EVENTS_TOKEN, raw: lines.join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
    assert.equal(r.status, 207);
    peakQueued = Math.max(peakQueued, (await stats()).stream.peakQueued);
  }
  const s = await stats();
  assert.equal(s.stream.dropped, 1, 'the stalled client was dropped');
  assert.ok(Math.max(peakQueued, s.stream.peakQueued) <= 200, `peak queue ${peakQueued}`);
  assert.equal(s.stream.clients, 1, 'only the reading client is left');
  assert.equal(s.stream.queued, 0);
  stalled.resume();
  await closed; // the daemon ended the dropped stream and its connection

  await d.call('POST', '/events', { type: 'media.added', payload: { title: 'still live' } }, { token: EVENTS_TOKEN });
  const e = await reader.waitFor((x) => x.event === 'media.added');
  assert.equal(e.json.payload.title, 'still live');
  reader.close();
});
