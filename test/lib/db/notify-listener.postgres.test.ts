// The daemon's one listening connection on PostgreSQL: it follows several channels and hands each
// notification to its own channel's follower, and after its connection is killed
// (pg_terminate_backend) it opens another, tells the followers to catch up, and receives again.
// Skipped when PostgreSQL is unreachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../lib/db/connect.ts';
import { createNotifyListener } from '../../../lib/db/notify-listener.ts';
import { createTestSchema, postgresReachable, shownUrl, type TestSchema } from '../../helpers/postgres.ts';
import { waitFor } from '../../helpers/wait.ts';

const reachable = await postgresReachable();
const skip = reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`;

const open = (schema: TestSchema, pool: number) => openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool, statementTimeoutMs: 30_000 });

/** A listener following two channels (names unique to this schema, so parallel tests do not cross). */
async function withListener(run: (ctx: {
  notify: (channel: 'one' | 'two', payload: string) => Promise<void>;
  got: { one: string[]; two: string[] };
  connects: () => number;
  errors: string[];
  listener: ReturnType<typeof createNotifyListener>;
  other: ReturnType<typeof open>;
}) => Promise<void>): Promise<void> {
  const schema = await createTestSchema();
  const db = open(schema, 2);
  const other = open(schema, 1);
  const suffix = schema.name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const channel = { one: `t1_${suffix}`, two: `t2_${suffix}` };
  const got = { one: [] as string[], two: [] as string[] };
  const errors: string[] = [];
  let connects = 0;
  const listener = createNotifyListener({ db, reconnectMs: 50, onError: (err, what) => errors.push(`${what}: ${String(err)}`) });
  listener.follow(channel.one, { notified: (p) => got.one.push(p), connected: () => connects++ });
  listener.follow(channel.two, { notified: (p) => got.two.push(p) });
  try {
    await listener.start();
    await run({ notify: async (ch, payload) => void (await other.raw('SELECT pg_notify(?, ?)', [channel[ch], payload])), got, connects: () => connects, errors, listener, other });
  } finally {
    await listener.stop();
    await db.destroy();
    await other.destroy();
    await schema.drop();
  }
}

test('one connection follows two channels and hands each notification to its own channel\'s follower, in order', { skip }, () =>
  withListener(async ({ notify, got, connects, errors }) => {
    assert.equal(connects(), 1, 'told once that the connection listens');
    await notify('one', 'a');
    await notify('two', 'b');
    await notify('one', 'c');
    await waitFor(async () => got.one.length >= 2 && got.two.length >= 1, 'the three notifications');
    assert.deepEqual(got, { one: ['a', 'c'], two: ['b'] });
    assert.deepEqual(errors, []);
  }));

test('after its connection is killed it reconnects, tells the followers to catch up, and receives again', { skip }, () =>
  withListener(async ({ notify, got, connects, errors, listener, other }) => {
    const pid = (listener.connection() as unknown as { processID: number }).processID;
    assert.ok(pid > 0);
    await other.raw('SELECT pg_terminate_backend(?)', [pid]);
    await waitFor(async () => connects() >= 2, 'the listener to reconnect');
    const now = (listener.connection() as unknown as { processID: number }).processID;
    assert.notEqual(now, pid, 'a new backend');
    assert.ok(errors.some((e) => e.includes('lost')), errors.join('\n'));
    await notify('two', 'after');
    await waitFor(async () => got.two.includes('after'), 'a notification after the reconnect');
  }));
