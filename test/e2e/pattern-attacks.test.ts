// Event patterns as an attacker writes them: 30+ stars and a tail that matches nothing, sent
// by an events token to /stream and /progress and GET /events?type=, and by an admin as a
// hook's or a webhook's events. A backtracking matcher froze the daemon for seconds on one
// such request; each must now answer (a 4xx or the right result) and leave the daemon serving.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { openStream } from '../lib/progress/sse-reader.ts';

const STARS = '*'.repeat(40);
const NO_MATCH = `${STARS}z`; // no catalog type ends in z
const ENDS_IN_D = `${STARS}d`; // media.added, media.updated, …
// "*a*a*a…*q": for a backtracking regex, a number of paths that grows like a power of the length.
const MANY_PIECES = `${'*a'.repeat(60)}*q`;

let d: TestDaemon;
let receiver: WebhookReceiver;
before(async () => {
  receiver = await startWebhookReceiver();
  d = await startTestDaemon();
  for (const [id, title] of [['pat-1', 'One'], ['pat-2', 'Two']]) {
    const r = await d.call('POST', '/events', { type: 'media.added', payload: { title }, id }, { token: EVENTS_TOKEN });
    assert.equal(r.status, 202, r.text);
  }
  const other = await d.call('POST', '/events', { type: 'health.issue', payload: { message: 'disk' }, id: 'pat-3' }, { token: EVENTS_TOKEN });
  assert.equal(other.status, 202, other.text);
});
after(async () => {
  await d.close();
  await receiver.close();
});

const asEvents = { token: EVENTS_TOKEN };

// A generous bound so that a regression fails instead of hanging the suite; not a timing assertion.
describe('patterns built to backtrack', { timeout: 120_000 }, () => {
  test('GET /progress?types= with 40 stars answers the right (empty) result', async () => {
    for (const types of [NO_MATCH, MANY_PIECES, `${NO_MATCH},${MANY_PIECES}`]) {
      const r = await d.call('GET', `/progress?types=${encodeURIComponent(types)}`, undefined, asEvents);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.items, []);
    }
  });

  test('GET /events?type= with 40 stars finds exactly the types the pattern stands for', async () => {
    const none = await d.call('GET', `/events?type=${encodeURIComponent(NO_MATCH)}`, undefined, asEvents);
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.body.items, []);
    const added = await d.call('GET', `/events?type=${encodeURIComponent(ENDS_IN_D)}`, undefined, asEvents);
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.body.items.map((e: { id: string }) => e.id).sort(), ['pat-1', 'pat-2']);
    const pieces = await d.call('GET', `/events?type=${encodeURIComponent(MANY_PIECES)}`, undefined, asEvents);
    assert.deepEqual(pieces.body.items, []);
  });

  test('GET /stream?types= with 40 stars opens, replays only matching events after Last-Event-ID, and goes live', async () => {
    const s = await openStream(d.url, `/stream?types=${encodeURIComponent(`${ENDS_IN_D},${MANY_PIECES}`)}`, {
      token: EVENTS_TOKEN,
      headers: { 'last-event-id': 'pat-1' },
    });
    try {
      assert.equal(s.status, 200);
      await s.waitFor((e) => e.lastEventId === 'pat-2');
      const live = await d.call('POST', '/events', { type: 'media.updated', payload: { title: 'Live' }, id: 'pat-4' }, asEvents);
      assert.equal(live.status, 202);
      await s.waitFor((e) => e.lastEventId === 'pat-4');
      assert.deepEqual(s.parser.events.filter((e) => e.lastEventId).map((e) => e.lastEventId), ['pat-2', 'pat-4'], 'pat-3 (health.issue) never matched');
    } finally {
      s.close();
    }
    const none = await openStream(d.url, `/stream?types=${encodeURIComponent(NO_MATCH)}`, { token: EVENTS_TOKEN, headers: { 'last-event-id': 'pat-1' } });
    assert.equal(none.status, 200);
    none.close();
  });

  test('a hook or a webhook subscribed with 40 stars: refused when it matches nothing, working when it does', async () => {
    const hookNone = await d.call('POST', '/hooks', { name: 'stars-none', events: [NO_MATCH], mode: 'action', source: 'export default () => {}' });
    assert.equal(hookNone.status, 422, hookNone.text);
    assert.match(hookNone.body.error.message, /matches no event type/);
    const hookPieces = await d.call('POST', '/hooks', { name: 'stars-pieces', events: [MANY_PIECES], mode: 'action', source: 'export default () => {}' });
    assert.equal(hookPieces.status, 422, hookPieces.text);
    const hook = await d.call('POST', '/hooks', { name: 'stars-d', events: [ENDS_IN_D], mode: 'filter', source: 'export default () => ({ patch: { tags: ["starred"] } })' });
    assert.equal(hook.status, 201, hook.text);
    const filtered = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'Filtered' } }, asEvents);
    assert.equal(filtered.status, 200, filtered.text);
    assert.deepEqual(filtered.body.payload.tags, ['starred']);

    const webhookNone = await d.call('POST', '/webhooks', { url: receiver.url, events: [NO_MATCH, MANY_PIECES] });
    assert.equal(webhookNone.status, 400, webhookNone.text);
    assert.match(webhookNone.body.error.message, /matches no deliverable event type/);
    const webhook = await d.call('POST', '/webhooks', { url: receiver.url, events: [ENDS_IN_D] });
    assert.equal(webhook.status, 201, webhook.text);
    const patched = await d.call('PATCH', `/webhooks/${webhook.body.id}`, { events: [NO_MATCH] });
    assert.equal(patched.status, 400, patched.text);
    await d.call('POST', '/events', { type: 'media.updated', payload: { title: 'Delivered' }, id: 'pat-5' }, asEvents);
    await receiver.waitFor((list) => list.some((r) => r.body.includes('"pat-5"')));
  });

  test('over-long patterns and too many patterns are 400s that name the limit', async () => {
    const long = `${'*'.repeat(201)}`;
    for (const path of ['/progress?types=', '/events?type=', '/stream?types=']) {
      const r = await d.call('GET', `${path}${long}`, undefined, asEvents);
      assert.equal(r.status, 400, `${path}: ${r.text}`);
      assert.match(r.body.error.message, /201 characters long; the limit is 200/);
      const many = await d.call('GET', `${path}${Array(101).fill('media.added').join(',')}`, undefined, asEvents);
      assert.equal(many.status, 400, `${path}: ${many.text}`);
      assert.match(many.body.error.message, /lists 101 patterns; the limit is 100/);
    }
    const hook = await d.call('POST', '/hooks', { name: 'too-long', events: [long], mode: 'action', source: 'export default () => {}' });
    assert.equal(hook.status, 400, hook.text);
    assert.equal(hook.body.error.details.pointer, '/events/0');
    const webhook = await d.call('POST', '/webhooks', { url: receiver.url, events: Array(101).fill('media.added') });
    assert.equal(webhook.status, 400, webhook.text);
    assert.match(webhook.body.error.message, /the limit is 100/);
  });

  test('the daemon still takes events from everyone afterwards', async () => {
    const r = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'Still here' } }, asEvents);
    assert.equal(r.status, 202, r.text);
  });
});
