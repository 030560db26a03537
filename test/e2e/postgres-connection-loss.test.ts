// A daemon on PostgreSQL whose connections are killed (pg_terminate_backend, as an admin or a
// failover does), whose server cannot be reached or stops answering: every answer is a 2xx or a
// 503 naming the storage, none hangs, everything acknowledged stays stored once, owed webhook
// deliveries are all sent, the process keeps running and /readyz follows the database down and up.
// Real daemons as child processes (a crash would show as an exit), a fresh database each (its
// connections are the daemon's alone), a real receiver. Skipped when PostgreSQL is unreachable.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import knexFactory, { type Knex } from 'knex';
import { ADMIN_TOKEN, EVENTS_TOKEN, spawnDaemon, writeTestConfig, type ChildDaemon } from '../helpers/daemon.ts';
import { parseDuration } from '../../lib/config/index.ts';
import { postgresTimeouts } from '../../lib/db/pg-timeouts.ts';
import { createTestDatabase, POSTGRES_TEST_URL, postgresReachable, shownUrl, type TestDatabase } from '../helpers/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const reachable = await postgresReachable();

/** Past this a request counts as hung: well past storage.statementTimeout below. */
const HUNG_MS = 30_000;
const KILL_ROUNDS = 10;

interface Outcome {
  status?: number;
  body?: any;
  /** The request failed without an answer (connection reset, hung past HUNG_MS). */
  error?: string;
}

async function call(base: string, method: string, path: string, body?: unknown, token = ADMIN_TOKEN, hungMs = HUNG_MS): Promise<Outcome> {
  try {
    const res = await fetch(new URL(path, base), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(hungMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // kept as text: the assertion shows it
    }
    return { status: res.status, body: parsed };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}` };
  }
}

/** A 2xx, or a 503 whose JSON error says the storage is unavailable. */
function isAcceptable(o: Outcome): boolean {
  if (o.status !== undefined && o.status >= 200 && o.status < 300) return true;
  return o.status === 503 && o.body?.error?.code === 'STORAGE_UNAVAILABLE' && /storage is unavailable/.test(o.body.error.message);
}

interface Running {
  daemon: ChildDaemon;
  db: TestDatabase;
  /** The daemon's tables, read by the test. */
  reader: Knex;
  stop(): Promise<void>;
}

async function startOnFreshDatabase(config: Record<string, unknown>, urlFor: (db: TestDatabase) => string = (db) => db.url): Promise<Running> {
  const db = await createTestDatabase();
  const temp = makeTempDir();
  const file = writeTestConfig(temp.dir, {
    log: { level: 'info', pretty: false },
    hooks: { watch: false },
    ...config,
    storage: { client: 'postgres', url: urlFor(db), pool: 6, statementTimeout: '5s', ...(config.storage as object) },
  });
  const daemon = await spawnDaemon(file);
  const reader = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 1 } });
  return {
    daemon,
    db,
    reader,
    async stop() {
      if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGTERM');
      await daemon.exited;
      await reader.destroy();
      await db.drop();
      temp.remove();
    },
  };
}

/**
 * Terminates the database's backends KILL_ROUNDS times a few milliseconds apart: a round lands
 * on statements in flight, on connections between two statements of a transaction and on ones
 * the pool just opened. Answers how many connections it ended.
 */
async function killRepeatedly(db: TestDatabase): Promise<number> {
  let ended = 0;
  for (let round = 0; round < KILL_ROUNDS; round++) {
    ended += await db.terminateBackends();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return ended;
}

/** The database's URL with the proxy's port in place of the server's. */
function throughProxy(proxy: TcpProxy, db: TestDatabase): string {
  const u = new URL(db.url);
  u.port = String(proxy.port);
  return u.toString();
}

async function startProxyToServer(): Promise<TcpProxy> {
  const target = new URL(POSTGRES_TEST_URL);
  return startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
}

/** How many times each `seq` of `acked` is stored in the events table. */
async function storedCounts(r: Running): Promise<Map<string, number>> {
  const rows = (await r.reader('events').select('payload')) as Array<{ payload: string }>;
  const stored = new Map<string, number>();
  for (const row of rows) {
    const seq = (JSON.parse(row.payload) as { seq?: string }).seq;
    if (seq) stored.set(seq, (stored.get(seq) ?? 0) + 1);
  }
  return stored;
}

/** Acknowledged seqs not stored, and stored more than once. */
async function assertStoredOnce(r: Running, ackedSeqs: readonly string[]): Promise<void> {
  const stored = await storedCounts(r);
  const missing = ackedSeqs.filter((s) => !stored.has(s));
  const twice = ackedSeqs.filter((s) => (stored.get(s) ?? 0) > 1);
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged events are not stored`);
  assert.deepEqual(twice.slice(0, 5), [], `${twice.length} acknowledged events are stored more than once`);
}

function assertStillRunning(r: Running): void {
  assert.equal(r.daemon.child.exitCode, null, `the daemon exited:\n${r.daemon.output().slice(-4000)}`);
  assert.equal(r.daemon.child.signalCode, null);
}

describe('a daemon on PostgreSQL whose connections are lost', { skip: reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL` }, () => {
  test('an ingest burst while every backend is terminated three times: 2xx or a storage 503, every 2xx stored once, the daemon still stores', async (t) => {
    const r = await startOnFreshDatabase({});
    try {
      const outcomes: Array<{ seq: string; outcome: Outcome }> = [];
      let acked = 0;
      let stop = false;
      const killed: number[] = [];
      // The kills come at given counts of acknowledged posts, so they land mid-burst however fast it runs.
      const killAt = [300, 600, 900];
      let killing = Promise.resolve();
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const seq = `w${w}-${i}`;
          // Half carry their own id (the transaction with the idempotency lookup), half not (the one-statement insert).
          const event = { type: 'media.added', payload: { title: seq, seq }, ...(i % 2 === 0 ? { id: `cl-${seq}` } : {}) };
          const outcome = await call(r.daemon.url, 'POST', '/events', event, EVENTS_TOKEN);
          outcomes.push({ seq, outcome });
          if (outcome.status !== undefined && outcome.status < 300) acked += 1;
          if (killAt.length > 0 && acked >= killAt[0]!) {
            killAt.shift();
            killing = killing.then(async () => void killed.push(await killRepeatedly(r.db)));
          }
          if (killAt.length === 0 && acked >= 1300) stop = true;
          if (outcomes.length > 20_000) stop = true; // never acknowledging again: the assertions below say why
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, w) => worker(w)));
      await killing;
      assert.equal(killed.length, 3, 'every kill ran');
      assert.ok(killed.every((n) => n > 0), `each kill ended the daemon's connections (${killed.join(', ')})`);

      const refused = outcomes.filter((o) => o.outcome.status === 503).length;
      t.diagnostic(`${outcomes.length} posts: ${refused} answered a storage 503, kills ended ${killed.join(' and ')} connections`);
      const bad = outcomes.filter((o) => !isAcceptable(o.outcome));
      assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${outcomes.length} answers were neither 2xx nor a storage 503`);
      const ackedSeqs = outcomes.filter((o) => o.outcome.status! < 300).map((o) => o.seq);
      assert.ok(ackedSeqs.length >= 1300, `the daemon recovered and acknowledged again (${ackedSeqs.length} of ${outcomes.length})`);

      await assertStoredOnce(r, ackedSeqs);

      const after = await call(r.daemon.url, 'POST', '/events', { type: 'media.added', payload: { title: 'after' }, id: 'cl-after' }, EVENTS_TOKEN);
      assert.equal(after.status, 202, JSON.stringify(after));
      assert.ok(await r.reader('events').where({ id: 'cl-after' }).first(), 'the post after the burst is stored');
      assertStillRunning(r);
    } finally {
      await r.stop();
    }
  });

  describe('a webhook burst while every backend is terminated twice', () => {
    let receiver: { url: string; server: Server; byId: Map<string, number>; concurrentRepeats: number; inFlight: Set<string> };

    before(async () => {
      const byId = new Map<string, number>();
      const inFlight = new Set<string>();
      const state = { concurrentRepeats: 0 };
      // Each answer is held a little, so a delivery sent twice at once would overlap here.
      const server = createServer((req, res) => {
        const id = String(req.headers['webhook-id']);
        byId.set(id, (byId.get(id) ?? 0) + 1);
        if (inFlight.has(id)) state.concurrentRepeats += 1;
        inFlight.add(id);
        req.resume();
        req.on('end', () =>
          setTimeout(() => {
            inFlight.delete(id);
            res.end('ok');
          }, 20),
        );
      });
      server.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      receiver = {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        server,
        byId,
        inFlight,
        get concurrentRepeats() {
          return state.concurrentRepeats;
        },
      };
    });
    after(async () => {
      receiver.server.closeAllConnections();
      await new Promise((resolve) => receiver.server.close(resolve));
    });

    test('every delivery is sent once (never twice at once, never again for a lost record), its attempts recorded, none left pending', async (t) => {
      const r = await startOnFreshDatabase({ webhooks: { retrySchedule: ['50ms'], jitter: 0, pollInterval: '50ms', allowPrivateNetworks: true } });
      try {
        const wh = await call(r.daemon.url, 'POST', '/webhooks', { url: `${receiver.url}/in`, events: ['media.*'] });
        assert.equal(wh.status, 201, JSON.stringify(wh));
        const webhookId = wh.body.id as string;
        const N = 300;
        for (let b = 0; b < N; b += 50) {
          const batch = Array.from({ length: 50 }, (_, i) => ({ type: 'media.added', payload: { title: `wh-${b + i}` }, id: `wh-${b + i}` }));
          const posted = await call(r.daemon.url, 'POST', '/events', batch, EVENTS_TOKEN);
          assert.ok(posted.status! < 300, JSON.stringify(posted).slice(0, 500));
        }
        const sentCount = () => receiver.byId.size;
        await waitFor(async () => sentCount() >= N / 4, 'a quarter of the deliveries sent', HUNG_MS);
        const first = await killRepeatedly(r.db);
        await waitFor(async () => sentCount() >= N / 2, 'half of the deliveries sent', HUNG_MS);
        const second = await killRepeatedly(r.db);
        assert.ok(first > 0 && second > 0, `each kill ended the daemon's connections (${first}, ${second})`);

        await waitFor(async () => sentCount() >= N, `all ${N} deliveries received (${sentCount()} so far)`, 60_000);
        const rows = await waitFor(async () => {
          const all = (await r.reader('deliveries').where({ webhook_id: webhookId }).select('id', 'status', 'attempts')) as Array<{ id: string; status: string; attempts: number }>;
          return all.length === N && all.every((d) => d.status === 'succeeded') && all;
        }, 'every delivery recorded as succeeded', 60_000);
        const attempts = (await r.reader('delivery_attempts').where({ webhook_id: webhookId }).select('delivery_id')) as Array<{ delivery_id: string }>;
        const attemptsOf = new Map<string, number>();
        for (const a of attempts) attemptsOf.set(a.delivery_id, (attemptsOf.get(a.delivery_id) ?? 0) + 1);
        assert.ok(rows.every((d) => d.attempts >= 1 && (attemptsOf.get(d.id) ?? 0) >= 1), 'each delivery has its attempts recorded');
        assert.equal(new Set(rows.map((d) => d.id)).size, N, 'one delivery id per event');
        assert.deepEqual([...receiver.byId.keys()].sort(), rows.map((d) => d.id).sort(), 'the ids received are the deliveries\' ids');

        const repeats = [...receiver.byId.values()].reduce((n, c) => n + c - 1, 0);
        t.diagnostic(`deliveries sent more than once: ${repeats} extra sends over ${N} deliveries`);
        assert.equal(receiver.concurrentRepeats, 0, 'no delivery was sent twice at once');
        // A lost connection while an attempt is recorded is a storage failure the recorder retries;
        // only an error it does not know as one makes it give the claim back and send again.
        assert.equal(repeats, 0, 'no delivery was sent again because recording its attempt failed');
        assertStillRunning(r);
      } finally {
        await r.stop();
      }
    });
  });

  describe('readiness while the database server cannot be reached', () => {
    let proxy: TcpProxy;
    before(async () => {
      proxy = await startProxyToServer();
    });
    after(() => proxy.close());

    test('/readyz reports the database not ready with a reason and posts answer a storage 503; both recover once it is back', async () => {
      const r = await startOnFreshDatabase({}, (db) => throughProxy(proxy, db));
      try {
        const readyz = () => call(r.daemon.url, 'GET', '/readyz');
        assert.equal((await readyz()).status, 200);

        await proxy.cut();
        const down = await waitFor(async () => {
          const o = await readyz();
          return o.status === 503 && o;
        }, 'readiness to report the database down', HUNG_MS);
        assert.equal(down.body.status, 'not-ready');
        assert.match(down.body.checks.database, /^database cannot be written: the database server cannot be reached/);
        assert.equal(down.body.reason, down.body.checks.database);
        const refused = await call(r.daemon.url, 'POST', '/events', { type: 'media.added', payload: { title: 'away' } }, EVENTS_TOKEN);
        assert.ok(refused.status === 503 && isAcceptable(refused), JSON.stringify(refused));

        await proxy.restore();
        const up = await waitFor(async () => {
          const o = await readyz();
          return o.status === 200 && o;
        }, 'readiness to report the database back', HUNG_MS);
        assert.equal(up.body.checks.database, 'ok');
        const posted = await call(r.daemon.url, 'POST', '/events', { type: 'media.added', payload: { title: 'back' }, id: 'ready-back' }, EVENTS_TOKEN);
        assert.equal(posted.status, 202, JSON.stringify(posted));
        assertStillRunning(r);
      } finally {
        await r.stop();
      }
    });
  });

  describe('a database server that stops answering (a partition: nothing forwarded, nothing closed)', () => {
    let proxy: TcpProxy;
    before(async () => {
      proxy = await startProxyToServer();
    });
    after(() => proxy.close());

    const statementTimeout = '1s';
    const timeouts = postgresTimeouts(parseDuration(statementTimeout));
    // Not a measure of speed: a bound on hanging, from the daemon's own deadlines. A post may wait
    // for a pool connection and then its statement, behind one batch that did the same; the
    // rest is room for a loaded machine. Without the deadlines a post hangs until the socket dies.
    const answerWithinMs = 2 * (timeouts.acquireTimeoutMs + timeouts.queryTimeoutMs!) + 10_000;

    test('concurrent posts answer a storage 503 within the deadlines and /readyz says not ready; once it answers again posts are stored, every 2xx once', async (t) => {
      const r = await startOnFreshDatabase({ storage: { statementTimeout } }, (db) => throughProxy(proxy, db));
      try {
        const acked: string[] = [];
        const post = async (seq: string, ownId: boolean) => {
          const event = { type: 'media.added', payload: { title: seq, seq }, ...(ownId ? { id: `st-${seq}` } : {}) };
          const outcome = await call(r.daemon.url, 'POST', '/events', event, EVENTS_TOKEN, answerWithinMs);
          if (outcome.status !== undefined && outcome.status < 300) acked.push(seq);
          return outcome;
        };
        // Half carry their own id (the transaction with the idempotency lookup), half not; a batch
        // of posts without ids alone is the one-statement insert, outside any transaction.
        const burst = (phase: string, withIds = true) => Promise.all(Array.from({ length: 12 }, (_, i) => post(`${phase}-${i}`, withIds && i % 2 === 0)));

        const beforeStall = await burst('before');
        assert.ok(beforeStall.every((o) => o.status === 202), JSON.stringify(beforeStall.find((o) => o.status !== 202)));

        proxy.stall();
        const stalledAt = Date.now();
        const during = await burst('during');
        t.diagnostic(`the stalled burst was answered in ${Date.now() - stalledAt} ms (the bound on hanging: ${answerWithinMs} ms)`);
        const notRefused = during.filter((o) => !(o.status === 503 && isAcceptable(o)));
        assert.deepEqual(notRefused, [], `every post while the server does not answer is a storage 503, none hangs; the daemon said:\n${r.daemon.output().slice(-4000)}`);
        t.diagnostic(`while stalled: ${[...new Set(during.map((o) => o.body.error.message))].join(' | ')}`);
        assert.ok(
          during.some((o) => /did not answer in time/.test(o.body.error.message)),
          'the answer says the database did not answer in time',
        );
        const down = await waitFor(async () => {
          const o = await call(r.daemon.url, 'GET', '/readyz', undefined, ADMIN_TOKEN, answerWithinMs);
          return o.status === 503 && o;
        }, 'readiness to report the database down', answerWithinMs);
        assert.equal(down.body.status, 'not-ready');
        assert.match(down.body.checks.database, /^database (cannot be written|did not answer)/);

        proxy.resume();
        const resumedAt = Date.now();
        // At once, on the connections the stall left behind, without ids: the write a connection
        // left inside a stalled transaction would acknowledge and never commit. A 2xx or a storage 503 each.
        const atResume = await burst('resumed', false);
        assert.deepEqual(atResume.filter((o) => !isAcceptable(o)), [], 'posts at the resume are a 2xx or a storage 503');
        await waitFor(async () => (await call(r.daemon.url, 'GET', '/readyz')).status === 200, 'readiness to report the database back', HUNG_MS);
        t.diagnostic(`ready again ${Date.now() - resumedAt} ms after the resume`);
        const afterResume = await burst('after');
        assert.ok(afterResume.every((o) => o.status === 202), JSON.stringify(afterResume.find((o) => o.status !== 202)));

        // A connection left inside a failed transaction would have acknowledged writes it never committed.
        await assertStoredOnce(r, acked);
        t.diagnostic(`${acked.length} posts acknowledged of ${4 * 12}`);
        assertStillRunning(r);
      } finally {
        proxy.resume(); // a stop waits for the database
        await r.stop();
      }
    });
  });
});
