// Stream presence on PostgreSQL: a daemon that announces a stream client is known to the others
// as soon as the announcement resolves is notified (and they are told it arrived), one whose
// clients are gone is forgotten at its next refresh, a daemon that starts later reads who is
// listed, and a daemon on another schema is not seen. Skipped when PostgreSQL is unreachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createNotifyListener } from '../../../lib/db/notify-listener.ts';
import { createStreamPresence } from '../../../lib/db/stream-presence.ts';
import { postgresReachable, shownUrl, withTestSchema, type TestSchema } from '../../helpers/postgres.ts';
import { waitFor } from '../../helpers/wait.ts';

const reachable = await postgresReachable();
const skip = reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`;

async function node(schema: TestSchema, instanceId: string, refreshMs = 3_600_000) {
  const db = openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 2, statementTimeoutMs: 30_000 });
  await migrateLatest(db);
  const onError = (err: unknown) => assert.fail(String(err));
  const listener = createNotifyListener({ db, reconnectMs: 1_000, onError });
  const state = { clients: 0, arrivals: [] as string[] };
  const presence = createStreamPresence({ db, listener, instanceId, clients: () => state.clients, onArrival: (i) => state.arrivals.push(i), onError, refreshMs, ttlMs: 60_000 });
  await listener.start();
  await presence.start();
  return {
    presence,
    state,
    async close() {
      await presence.stop();
      await listener.stop();
      await db.destroy();
    },
  };
}

test('an announced daemon is known to the others (and its arrival told), then forgotten at its refresh once its clients are gone', { skip }, () =>
  withTestSchema(async (schema) => {
    const a = await node(schema, 'a', 100);
    const b = await node(schema, 'b');
    try {
      assert.equal(b.presence.othersListening(), false);
      a.state.clients = 1;
      await a.presence.announce();
      await waitFor(async () => b.presence.othersListening(), 'b to learn that a has a stream client');
      assert.deepEqual(b.state.arrivals, ['a']);
      assert.equal(a.presence.othersListening(), false, 'a does not count itself');
      // Started after the announcement: it reads the row.
      const c = await node(schema, 'c');
      try {
        assert.equal(c.presence.othersListening(), true);
        a.state.clients = 0;
        await waitFor(async () => !b.presence.othersListening() && !c.presence.othersListening(), 'a to be forgotten');
      } finally {
        await c.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  }));

test('a daemon that stops while listed is forgotten, and another schema\'s daemons are not seen', { skip }, () =>
  withTestSchema((one) =>
    withTestSchema(async (two) => {
      const a = await node(one, 'a');
      const b = await node(one, 'b');
      const elsewhere = await node(two, 'x');
      try {
        a.state.clients = 1;
        await a.presence.announce();
        await waitFor(async () => b.presence.othersListening(), 'b to learn of a');
        await a.close();
        await waitFor(async () => !b.presence.othersListening(), 'b to forget a, stopped');
        assert.equal(elsewhere.presence.othersListening(), false);
        assert.deepEqual(elsewhere.state.arrivals, []);
      } finally {
        await b.close();
        await elsewhere.close();
      }
    })));
