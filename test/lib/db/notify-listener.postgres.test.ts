// The daemon's one listening connection on PostgreSQL: it follows several channels and hands each
// notification to its own channel's follower, and after its connection is killed
// (pg_terminate_backend) or silently black-holed (a proxy that stops forwarding) it opens another,
// tells the followers to catch up, and receives again. Skipped when PostgreSQL is unreachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../lib/db/connect.ts';
import { createNotifyListener, type ListenHeartbeat } from '../../../lib/db/notify-listener.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { createTestSchema, POSTGRES_TEST_URL, postgresReachable, shownUrl } from '../../helpers/postgres.ts';
import { waitFor } from '../../helpers/wait.ts';

const reachable = await postgresReachable();
const skip = reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`;

const open = (url: string, pool: number) => openDatabase({ client: 'postgres', url, file: '', synchronous: 'full', pool, statementTimeoutMs: 30_000 });

/**
 * A listener following two channels (names unique to this schema, so parallel tests do not cross);
 * with `proxy` its pool reaches the server through it, the notifier directly.
 */
async function withListener(options: { heartbeat?: ListenHeartbeat; proxy?: TcpProxy }, run: (ctx: {
  notify: (channel: 'one' | 'two', payload: string) => Promise<void>;
  got: { one: string[]; two: string[] };
  connects: () => number;
  errors: string[];
  listener: ReturnType<typeof createNotifyListener>;
  other: ReturnType<typeof open>;
}) => Promise<void>): Promise<void> {
  const schema = await createTestSchema();
  const db = open(options.proxy?.through(schema.url) ?? schema.url, 2);
  const other = open(schema.url, 1);
  const suffix = schema.name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const channel = { one: `t1_${suffix}`, two: `t2_${suffix}` };
  const got = { one: [] as string[], two: [] as string[] };
  const errors: string[] = [];
  let connects = 0;
  const listener = createNotifyListener({ db, reconnectMs: 50, heartbeat: options.heartbeat, onError: (err, what) => errors.push(`${what}: ${String(err)}`) });
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
  withListener({}, async ({ notify, got, connects, errors }) => {
    assert.equal(connects(), 1, 'told once that the connection listens');
    await notify('one', 'a');
    await notify('two', 'b');
    await notify('one', 'c');
    await waitFor(async () => got.one.length >= 2 && got.two.length >= 1, 'the three notifications');
    assert.deepEqual(got, { one: ['a', 'c'], two: ['b'] });
    assert.deepEqual(errors, []);
  }));

test('after its connection is killed it reconnects, tells the followers to catch up, and receives again', { skip }, () =>
  withListener({}, async ({ notify, got, connects, errors, listener, other }) => {
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

// Short, so the test is quick; the bound on waiting for the reconnect is ten heartbeats: without
// the heartbeat a black-holed connection is never noticed and that wait times out.
const HEARTBEAT: ListenHeartbeat = { everyMs: 100, deadlineMs: 500 };
const TEN_HEARTBEATS_MS = 10 * (HEARTBEAT.everyMs + HEARTBEAT.deadlineMs);

test('a listening connection that goes silent (no FIN, no RST) is noticed by its heartbeat, closed, and replaced; the followers catch up', { skip }, async () => {
  const target = new URL(POSTGRES_TEST_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  try {
    await withListener({ heartbeat: HEARTBEAT, proxy }, async ({ notify, got, connects, errors }) => {
      try {
        await notify('one', 'through the proxy');
        await waitFor(async () => got.one.includes('through the proxy'), 'a notification through the proxy');
        const before = connects();
        proxy.freeze();
        await waitFor(async () => connects() > before, 'the listener to notice the silent connection and reconnect', TEN_HEARTBEATS_MS);
        assert.ok(errors.some((e) => e.includes('lost') && e.includes('no answer')), errors.join('\n'));
        await waitFor(async () => proxy.frozenClosedByClient() >= 1, 'the silent connection to be closed, not left to the pool');
        await notify('two', 'after');
        await waitFor(async () => got.two.includes('after'), 'a notification after the reconnect');
      } finally {
        await proxy.close(); // before the listener stops: a connection still frozen would hang its UNLISTEN
      }
    });
  } finally {
    await proxy.close();
  }
});
