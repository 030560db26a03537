// GET /events pages are bounded in bytes as well as in items: an events token that stored big
// payloads (each under server.bodyLimit) cannot make one answer hold limit × bodyLimit of JSON
// (1000 × 1 MiB by default, past V8's longest string), and paging still reaches every event once.
// A /stream replay of the same events reads them in byte-bounded pages, each flushed before the
// next: read 100 at once, they overflowed the client queue and the client was dropped.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EVENT_PAGE_BYTES } from '../../lib/api/events-router.ts';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { openStream } from '../lib/progress/sse-reader.ts';

const EVENT_BYTES = 1_000_000;
// Enough events that all of them together are well over one page's bytes.
const COUNT = Math.ceil(EVENT_PAGE_BYTES / EVENT_BYTES) + 4;

let d: TestDaemon;
const postedInOrder: string[] = [];
before(async () => {
  d = await startTestDaemon();
});
after(() => d.close());

test('a page of big events stops at the byte bound, and its cursor leads to the rest', async () => {
  const blob = 'x'.repeat(EVENT_BYTES);
  const posted = new Set<string>();
  for (let i = 0; i < COUNT; i++) {
    const r = await d.call('POST', '/events', { type: 'media.added', payload: { title: `big ${i}`, blob } }, { token: EVENTS_TOKEN });
    assert.equal(r.status, 202, r.text);
    posted.add(r.body.id);
  }
  postedInOrder.push(...posted);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: { status: number; text: string; body: any } = await d.call('GET', `/events?type=media.added&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, undefined, { token: EVENTS_TOKEN });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.ok(r.body.items.length >= 1, 'a page holds at least one event');
    // One event may pass the bound (a page always holds one); two cannot.
    assert.ok(r.text.length <= EVENT_PAGE_BYTES + 2 * EVENT_BYTES, `a page of ${r.text.length} bytes`);
    seen.push(...r.body.items.map((e: { id: string }) => e.id));
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor !== null && pages < COUNT + 1);
  assert.ok(pages > 1, 'the events did not fit one page');
  assert.equal(seen.length, posted.size, 'every event once');
  assert.deepEqual(new Set(seen), posted);
});

test('a /stream reconnect replays every big event after Last-Event-ID, in order, without dropping the client', async () => {
  assert.equal(postedInOrder.length, COUNT, 'the events of the test before');
  const s = await openStream(d.url, '/stream?types=media.added', { token: EVENTS_TOKEN, headers: { 'last-event-id': postedInOrder[0]! } });
  try {
    assert.equal(s.status, 200);
    const last = postedInOrder.at(-1)!;
    await s.waitFor((e) => e.lastEventId === last || e.event === 'error', 60_000);
    assert.deepEqual(s.parser.events.filter((e) => e.event === 'error').map((e) => e.data), [], 'not dropped');
    assert.deepEqual(s.parser.events.filter((e) => e.event === 'media.added').map((e) => e.lastEventId), postedInOrder.slice(1));
  } finally {
    s.close();
  }
});

test('the byte bound counts bytes, not characters: a page of text in a three-byte script stays within it', async () => {
  // 300,000 characters of U+65E5 are 900,000 bytes as UTF-8 (under the 1 MiB body limit).
  const CHARS = 300_000;
  const wide = '\u65e5'.repeat(CHARS);
  const count = Math.ceil(EVENT_PAGE_BYTES / (3 * CHARS)) + 3;
  for (let i = 0; i < count; i++) {
    const r = await d.call('POST', '/events', { type: 'media.updated', payload: { title: `wide ${i}`, wide } }, { token: EVENTS_TOKEN });
    assert.equal(r.status, 202, r.text);
  }
  const r = await d.call('GET', '/events?type=media.updated&limit=1000', undefined, { token: EVENTS_TOKEN });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const bytes = Buffer.byteLength(r.text);
  assert.ok(r.body.items.length < count && r.body.nextCursor, `one page did not hold all ${count} events`);
  assert.ok(bytes <= EVENT_PAGE_BYTES + 2 * 3 * CHARS, `a page of ${bytes} bytes (${r.body.items.length} events)`);
});
