// Finding events through the API (GET /events: status, until, q, causation; GET /events/:id/emitted),
// dry runs against a stored event, and the hook names an events token sees in a trace: the real
// daemon on a loopback port, events posted with the events token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { waitForDoneEvent, type ListedEvent } from '../helpers/events.ts';

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon();
});
after(() => d.close());

const post = async (body: Record<string, unknown>) => {
  const r = await d.call('POST', '/events', body, { token: EVENTS_TOKEN });
  assert.equal(r.status, 202, r.text);
  return r.body.id as string;
};
const list = async (query: string) => {
  const r = await d.call('GET', `/events?${query}`, undefined, { token: EVENTS_TOKEN });
  assert.equal(r.status, 200, r.text);
  return r.body as { items: ListedEvent[]; nextCursor: string | null };
};
const ids = (page: { items: ListedEvent[] }) => page.items.map((e) => e.id);

describe('GET /events filters', () => {
  test('q finds text in the payload, id, type and source, case-insensitively, wildcards literal', async () => {
    const dune = await post({ type: 'media.added', id: 'search-Case-7', payload: { title: 'Dune: Part Two' } });
    const percent = await post({ type: 'media.added', payload: { title: '100% Remux' } });
    await post({ type: 'media.added', payload: { title: '1000 Remux' } });
    assert.deepEqual(ids(await list('q=dune%3A%20part')), [dune]);
    assert.deepEqual(ids(await list('q=SEARCH-case')), [dune]);
    assert.deepEqual(ids(await list(`q=${encodeURIComponent('100%')}`)), [percent], '% is a literal character');
    assert.ok(ids(await list('q=test-producer&limit=1000')).includes(dune), 'the source (the token name)');
    assert.deepEqual(ids(await list('q=%20%20')), ids(await list('')), 'a blank q searches nothing');
  });

  test('status, since and until narrow the list, and the cursor pages through the filtered list', async () => {
    const start = new Date().toISOString();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await post({ type: 'health.issue', payload: { message: `paging-probe ${i}` } }));
    // No hook listens: each is done once dispatch has passed it.
    for (const id of made) await waitForDoneEvent(d, 'health.issue', (e) => e.id === id);
    const end = new Date().toISOString();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`q=paging-probe&status=done&since=${start}&until=${end}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.items.length <= 2);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...made].reverse());
    assert.deepEqual(ids(await list('q=paging-probe&status=pending')), []);
    assert.deepEqual(ids(await list('q=paging-probe&status=pending,done')).length, 5, 'comma-separated statuses');
    assert.deepEqual(ids(await list(`q=paging-probe&until=${start}`)), []);
  });

  const bad: Array<{ query: string; parameter: string; message: RegExp }> = [
    { query: 'status=finished', parameter: 'status', message: /"status" must be one of pending, done, not "finished"/ },
    { query: 'status=done&status=nope', parameter: 'status', message: /"status"/ },
    { query: `q=${'x'.repeat(201)}`, parameter: 'q', message: /"q" is 201 characters long; the limit is 200/ },
    { query: 'q=a&q=b', parameter: 'q', message: /"q" is given 2 times/ },
    { query: 'q=%00', parameter: 'q', message: /U\+0000/ },
    { query: 'until=yesterday', parameter: 'until', message: /"until" must be an ISO 8601 time/ },
    { query: 'since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', parameter: 'until', message: /"until" .* is before "since"/ },
    { query: `causation=${'c'.repeat(201)}`, parameter: 'causation', message: /"causation" is 201 characters long/ },
  ];
  for (const c of bad) {
    test(`bad input: ${c.query.slice(0, 40)} is a 400 naming "${c.parameter}"`, async () => {
      const r = await d.call('GET', `/events?${c.query}`, undefined, { token: EVENTS_TOKEN });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error.code, 'VALIDATION');
      assert.equal(r.body.error.details.parameter, c.parameter);
      assert.match(r.body.error.message, c.message);
    });
  }
});

describe('emitted events and the trace', () => {
  let root: string;
  let issueHook: { id: string; name: string };
  before(async () => {
    // download.grabbed -> (hook) health.issue -> (another hook) health.restored: two levels.
    const add = async (name: string, events: string[], source: string) => {
      const r = await d.call('POST', '/hooks', { kind: 'module', name, mode: 'action', events, source });
      assert.equal(r.status, 201, r.text);
      return r.body as { id: string; name: string };
    };
    issueHook = await add('raise-issue', ['download.grabbed'], `export default (e, ctx) => { ctx.emit('health.issue', { message: 'from ' + e.id }); }`);
    await add('restore-issue', ['health.issue'], `export default (e, ctx) => { if (e.payload.message.startsWith('from ')) ctx.emit('health.restored', { message: 'after ' + e.id }); }`);
    root = await post({ type: 'download.grabbed', payload: { title: 'Chain' } });
    const issue = await waitForDoneEvent(d, 'health.issue', (e) => e.causationId === root);
    await waitForDoneEvent(d, 'health.restored', (e) => e.causationId === issue.id);
    await waitForDoneEvent(d, 'download.grabbed', (e) => e.id === root);
  });

  test('GET /events/:id/emitted lists the descendants level by level with causationId and depth', async () => {
    const r = await d.call('GET', `/events/${root}/emitted`, undefined, { token: EVENTS_TOKEN });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.truncated, false);
    const [issue, restored] = r.body.items as ListedEvent[];
    assert.deepEqual([issue!.type, issue!.causationId, issue!.depth], ['health.issue', root, 1]);
    assert.deepEqual([restored!.type, restored!.causationId, restored!.depth], ['health.restored', issue!.id, 2]);
    const one = await d.call('GET', `/events/${root}/emitted?levels=1`, undefined, { token: EVENTS_TOKEN });
    assert.deepEqual([one.body.items.length, one.body.truncated], [1, true]);
    assert.deepEqual(ids(await list(`causation=${root}`)), [issue!.id], '?causation= lists the direct children');
  });

  test('GET /events/:id/emitted: an unknown event is a 404, a bad bound a 400 naming it', async () => {
    const missing = await d.call('GET', '/events/no-such-event/emitted', undefined, { token: EVENTS_TOKEN });
    assert.equal(missing.status, 404);
    const bad = await d.call('GET', `/events/${root}/emitted?levels=21`, undefined, { token: EVENTS_TOKEN });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.parameter, 'levels');
  });

  test('an events token sees the names of the hooks that ran in GET /events/:id', async () => {
    const r = await d.call('GET', `/events/${root}`, undefined, { token: EVENTS_TOKEN });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.invocations.map((i: { hookId: string; hookName: string }) => [i.hookId, i.hookName]), [[issueHook.id, 'raise-issue']]);
    const hooks = await d.call('GET', '/hooks', undefined, { token: EVENTS_TOKEN });
    assert.equal(hooks.status, 403, 'the hooks themselves stay admin-only');
  });

  test('a hook dry-runs against a stored event: its id, type and payload, nothing stored', async () => {
    const before = (await list(`causation=${root}`)).items.length;
    const saved = await d.call('POST', `/hooks/${issueHook.id}/test`, { eventId: root });
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.status, 'ok');
    const draft = await d.call('POST', '/hooks/test', {
      mode: 'action',
      source: `export default (e, ctx) => { ctx.log.info(e.id + ' ' + e.type + ' ' + e.payload.title); }`,
      eventId: root,
    });
    assert.equal(draft.status, 200, draft.text);
    assert.equal(draft.body.logs[0].message, `${root} download.grabbed Chain`);
    assert.equal((await list(`causation=${root}`)).items.length, before, 'the dry run emitted nothing that was stored');
  });

  test('a dry run names what is wrong: an unknown event, both kinds of event, neither', async () => {
    const unknown = await d.call('POST', `/hooks/${issueHook.id}/test`, { eventId: 'no-such-event' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /no-such-event/);
    const both = await d.call('POST', '/hooks/test', { source: 'export default () => {}', eventId: root, type: 'media.added' });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.details.pointer, '/eventId');
    const neither = await d.call('POST', `/hooks/${issueHook.id}/test`, {});
    assert.equal(neither.status, 400);
    assert.equal(neither.body.error.details.pointer, '/type');
  });
});
