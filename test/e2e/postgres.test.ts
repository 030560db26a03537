// The daemon on PostgreSQL (storage.client: postgres), end to end, against a fresh schema of the
// server HOOKD_TEST_DATABASE_URL names: events in, an action hook run, a filter chain, a webhook
// delivered to a local receiver, readiness through a real write. Skipped when it is unreachable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';
import { createTestSchema, postgresReachable, shownUrl, type TestSchema } from '../helpers/postgres.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const reachable = await postgresReachable();

describe('the daemon on PostgreSQL', { skip: reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL` }, () => {
  let schema: TestSchema;
  let d: TestDaemon;
  let receiver: WebhookReceiver;

  before(async () => {
    schema = await createTestSchema();
    receiver = await startWebhookReceiver(() => undefined);
    d = await startTestDaemon({
      config: {
        storage: { client: 'postgres', url: schema.url, pool: 4 },
        hooks: { watch: false },
        webhooks: { retrySchedule: ['50ms'], jitter: 0, pollInterval: '50ms', allowPrivateNetworks: true },
      },
    });
  });
  after(async () => {
    await d?.close();
    await receiver?.close();
    await schema?.drop();
  });

  test('readiness writes through PostgreSQL and reports the database ready', async () => {
    const r = await d.call('GET', '/readyz', undefined, { token: null });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.checks.database, 'ok');
    assert.equal(r.body.checks.migrations, 'ok');
    assert.equal(r.body.storage.client, 'postgres');
    assert.equal(typeof r.body.storage.instance, 'string', 'the instance id its leases and metrics carry');
    assert.ok(d.logs.lines().some((l) => l.msg === 'hookd listening' && String(l.storage).startsWith('postgres://')), 'the log names the backend');
  });

  test('an event runs its action hook, passes a filter chain and is delivered to a webhook, all stored in PostgreSQL', async () => {
    const filter = await d.call('POST', '/hooks', { name: 'tag', mode: 'filter', events: ['media.added'], source: 'export default (e) => ({ patch: { tagged: true } })' });
    assert.equal(filter.status, 201, filter.text);
    const action = await d.call('POST', '/hooks', { name: 'note', mode: 'action', events: ['media.added'], source: 'export default (e, ctx) => { ctx.log.info("saw " + e.payload.title); }' });
    assert.equal(action.status, 201, action.text);
    const wh = await d.call('POST', '/webhooks', { url: `${receiver.url}/pg`, events: ['media.*'] });
    assert.equal(wh.status, 201, wh.text);

    const waited = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'Dune' }, id: 'pg-dune' });
    assert.ok(waited.status === 200 || waited.status === 202, waited.text);
    const again = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'ignored' }, id: 'pg-dune' });
    assert.ok(again.status < 300, again.text);
    const batch = await d.call('POST', '/events', [{ type: 'media.added', payload: { title: 'A' } }, { type: 'media.added', payload: { title: 'B' } }]);
    assert.ok(batch.status < 300, batch.text);
    await d.daemon.idle();

    const ev = await d.call('GET', '/events/pg-dune');
    assert.equal(ev.status, 200, ev.text);
    assert.equal(ev.body.payload.title, 'Dune', 'the idempotent repeat stored nothing');
    const run = ev.body.invocations.find((i: { hookId: string }) => i.hookId === action.body.id);
    assert.equal(run?.status, 'ok');
    assert.equal(run?.logs[0]?.message, 'saw Dune');
    const listed = await d.call('GET', '/events?limit=10');
    assert.equal(listed.body.items.length, 3, listed.text);

    const received = await receiver.waitFor((rs) => rs.filter((r) => r.path === '/pg').length >= 3);
    const dune = received.find((r) => JSON.parse(r.body).id === 'pg-dune');
    assert.ok(dune, 'the event reached the webhook');
    assert.equal(JSON.parse(dune.body).payload.tagged, true, 'with the filter chain\'s payload');
    // The sender records each success after the receiver answered: wait for the three records.
    const rows = await waitFor(async () => {
      const r = await d.call('GET', `/webhooks/${wh.body.id}/deliveries`);
      assert.equal(r.status, 200, r.text);
      const items = r.body.items as Array<{ status: string; attempts: unknown[] }>;
      return items.length === 3 && items.every((x) => x.status === 'succeeded') && items;
    }, 'three succeeded deliveries');
    assert.ok(rows.every((x) => x.attempts.length === 1), 'one attempt each');
  });

  test('a dashboard session signs in, authenticates, and signs out on PostgreSQL', async () => {
    const signIn = await d.call('POST', '/session', { token: ADMIN_TOKEN }, { token: null });
    assert.equal(signIn.status, 200, signIn.text);
    const cookie = /^(hookd_session=[^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!;
    const me = await d.call('GET', '/session', undefined, { token: null, headers: { cookie } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.expiresAt, signIn.body.expiresAt);
    const out = await d.call('DELETE', '/session', undefined, { token: null, headers: { cookie, 'x-csrf-token': signIn.body.csrfToken } });
    assert.equal(out.status, 204);
    assert.equal((await d.call('GET', '/events', undefined, { token: null, headers: { cookie } })).status, 401);
  });

  test('U+0000, which PostgreSQL text refuses: a 400 naming where in an id, a name, a source or a description; kept inside a payload', async () => {
    const NUL = '\u0000';
    const refused: Array<[string, string, unknown, RegExp]> = [
      ['GET', `/events/a${encodeURIComponent(NUL)}`, undefined, /path parameter "id" holds the NUL character/],
      ['GET', `/hooks/a${encodeURIComponent(NUL)}`, undefined, /path parameter "id"/],
      ['GET', `/webhooks/a${encodeURIComponent(NUL)}`, undefined, /path parameter "id"/],
      ['POST', '/hooks', { name: 'nul', mode: 'action', events: ['media.added'], source: `export default () => "${NUL}"` }, /\/source holds the NUL character/],
      ['POST', '/webhooks', { url: `${receiver.url}/nul`, events: ['media.*'], description: `a${NUL}` }, /\/description holds the NUL character/],
    ];
    for (const [method, path, body, message] of refused) {
      const r = await d.call(method, path, body);
      assert.equal(r.status, 400, `${method} ${path}: ${r.text}`);
      assert.match(r.body.error.message, message);
    }
    const kept = await d.call('POST', '/events', { type: 'media.added', payload: { title: `a${NUL}b` }, id: 'pg-nul-payload' });
    assert.equal(kept.status, 202, kept.text);
    const read = await d.call('GET', '/events/pg-nul-payload');
    assert.equal(read.body.payload.title, `a${NUL}b`);
  });
});
