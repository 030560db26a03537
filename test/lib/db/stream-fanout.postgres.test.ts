// The stream fan-out on PostgreSQL: messages one daemon sends reach another in order (a message
// too large for NOTIFY through stream_frames), a daemon never receives its own, a full send
// queue drops and counts instead of waiting, and another schema's messages are not seen.
// Skipped when PostgreSQL is unreachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createNotifyListener } from '../../../lib/db/notify-listener.ts';
import { createStreamFanout, NOTIFY_MAX_BYTES, type StreamFanoutLimits } from '../../../lib/db/stream-fanout.ts';
import { postgresReachable, shownUrl, withTestSchema, type TestSchema } from '../../helpers/postgres.ts';
import { waitFor } from '../../helpers/wait.ts';

const reachable = await postgresReachable();
const skip = reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`;

interface Msg {
  n: number;
  text?: string;
}

async function node(schema: TestSchema, instanceId: string, limits?: Partial<StreamFanoutLimits>) {
  const db = openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 2, statementTimeoutMs: 30_000 });
  await migrateLatest(db);
  const got: Array<{ m: Msg; from: string }> = [];
  const onError = (err: unknown) => assert.fail(String(err));
  const listener = createNotifyListener({ db, reconnectMs: 1_000, onError });
  const fanout = createStreamFanout<Msg>({ db, listener, instanceId, deliver: (m, from) => got.push({ m, from }), onError, limits });
  await listener.start();
  fanout.start();
  return {
    fanout,
    got,
    async close() {
      await fanout.stop();
      await listener.stop();
      await db.destroy();
    },
  };
}

test('messages reach the other daemon in order, one past the NOTIFY limit through stream_frames, and never come back to the sender', { skip }, () =>
  withTestSchema(async (schema) => {
    const a = await node(schema, 'a');
    const b = await node(schema, 'b');
    try {
      const big = 'x'.repeat(NOTIFY_MAX_BYTES * 3);
      a.fanout.send({ n: 1 });
      a.fanout.send({ n: 2, text: big });
      a.fanout.send({ n: 3 });
      await waitFor(async () => b.got.length >= 3, 'b to receive three messages');
      assert.deepEqual(b.got.map((g) => [g.m.n, g.from]), [[1, 'a'], [2, 'a'], [3, 'a']]);
      assert.equal(b.got[1]!.m.text, big, 'the large message arrives whole');
      b.fanout.send({ n: 4 });
      await waitFor(async () => a.got.length >= 1, 'a to receive b\'s message');
      await a.fanout.settled();
      assert.deepEqual(a.got.map((g) => g.m.n), [4], 'a received only b\'s message, not its own');
      assert.equal(b.got.length, 3, 'b did not receive its own message');
      assert.deepEqual({ ...a.fanout.stats(), queued: 0 }, { sent: 3, sentByReference: 1, received: 1, receivedByReference: 0, dropped: 0, missed: 0, queued: 0 });
      assert.equal(b.fanout.stats().receivedByReference, 1);
    } finally {
      await a.close();
      await b.close();
    }
  }));

test('a full send queue drops messages and counts them instead of waiting; what was sent arrives', { skip }, () =>
  withTestSchema(async (schema) => {
    const a = await node(schema, 'a', { maxQueue: 2 });
    const b = await node(schema, 'b');
    try {
      // Sent in one synchronous burst: the queue cannot drain in between.
      for (let n = 1; n <= 20; n++) a.fanout.send({ n });
      await a.fanout.settled();
      const { sent, dropped } = a.fanout.stats();
      assert.equal(sent + dropped, 20);
      assert.ok(dropped > 0, 'nothing was dropped: the bound was not reached');
      await waitFor(async () => b.got.length >= sent, `b to receive the ${sent} sent messages`);
      const ns = b.got.map((g) => g.m.n);
      assert.deepEqual(ns, [...ns].sort((x, y) => x - y), 'in order');
      assert.equal(ns[0], 1);
    } finally {
      await a.close();
      await b.close();
    }
  }));

test('a daemon on another schema of the same database does not see the messages', { skip }, () =>
  withTestSchema((one) =>
    withTestSchema(async (two) => {
      const a = await node(one, 'a');
      const b = await node(one, 'b');
      const elsewhere = await node(two, 'c');
      try {
        a.fanout.send({ n: 1 });
        await waitFor(async () => b.got.length >= 1, 'b to receive the message');
        // The same channel carries both schemas' notifications: c sees what c's own connection
        // was sent before b's arrived (NOTIFY delivers in commit order), so a message c's peer
        // sends afterwards, arriving, proves c had its chance to see a's.
        const d = await node(two, 'd');
        try {
          d.fanout.send({ n: 2 });
          await waitFor(async () => elsewhere.got.length >= 1, 'c to receive d\'s message');
          assert.deepEqual(elsewhere.got.map((g) => g.m.n), [2]);
        } finally {
          await d.close();
        }
      } finally {
        await a.close();
        await b.close();
        await elsewhere.close();
      }
    })));
