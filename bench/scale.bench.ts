// Several daemons on one PostgreSQL database against one daemon on SQLite: ingest (POST /events,
// autocannon spread over the daemons, 32 connections in all) and webhook throughput (events posted
// round-robin, each delivered once to a local receiver in its own process) for SQLite x1 and
// PostgreSQL x1, x2, x3, and x3 with every post sent to one daemon (the others idle but running:
// their cost apart from splitting the load) and x1 alone at x3's share of the connections (what
// that share costs a daemon with nothing to coordinate; ingest only), every setup once per round (fresh daemons and
// database), medians and ranges over the rounds. Checks nothing is lost (every acknowledged event
// stored, every one delivered) and prints ratios, the daemons' CPU time per event (and idle),
// statements and transactions per event (the daemons' hookd_storage_* counters), rows written,
// lock waits (pg_stat_activity sampled every 20 ms, pg_stat_database deadlocks) and the server's
// other traffic. On a 2-core machine daemons share the cores: the aim is that coordination costs
// little, not a speed-up. `npx tsx bench/scale.bench.ts`; HOOKD_TEST_DATABASE_URL names the server.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { ADMIN_TOKEN, CLI, SERVE_NODE_FLAGS, spawnListening, writeTestConfig, type ChildDaemon } from '../test/helpers/daemon.ts';
import { request } from '../test/helpers/http.ts';
import { POSTGRES_TEST_URL, postgresReachable } from '../test/helpers/postgres.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { parsePrometheusText, samplesOf } from '../test/helpers/prometheus-text.ts';
import { startBare } from './bare-server.ts';
import { processCpuMicros, runLoad } from './load.ts';

const INGEST_SECONDS = Number(process.env.SCALE_INGEST_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.SCALE_WARMUP_SECONDS ?? 6);
const DELIVERIES = Number(process.env.SCALE_DELIVERIES ?? 2000);
// SCALE_ROUNDS (default 3): every setup runs once a round, fresh daemons and database each time.
const ROUNDS = Number(process.env.SCALE_ROUNDS ?? 3);
// Delivered (per daemon that takes load) before the webhook phase is measured: its code paths
// (claims, HTTP client, signing, recording) warm as ingest's do, in every setup alike.
const WARM_DELIVERIES = Number(process.env.SCALE_WARM_DELIVERIES ?? 500);
const BATCH = 250;
const IDLE_SECONDS = 3;
const CONNECTIONS = 32;

interface Setup {
  name: string;
  client: 'sqlite' | 'postgres';
  daemons: number;
  /** Posts go to the first daemon only (the others idle but running): what the others' presence costs, apart from splitting the load. */
  loadOnOne?: boolean;
  /**
   * Ingest connections in all (default CONNECTIONS); the webhook phase is left out. A daemon
   * alone at x3's share of the load: what that share costs a daemon with no coordination.
   */
  connections?: number;
}

interface DbCounters {
  xact: number;
  /** Transactions of the server's other databases (other work sharing the server's WAL and cores). */
  otherXact: number;
  checkpoints: number;
  deadlocks: number;
  inserted: number;
  updated: number;
}

interface PhaseResult {
  perSecond: number;
  seconds: number;
  events: number;
  cpuUsPerEvent: number;
  /** Statements the daemons sent (hookd_storage_statements_total), each a round trip. */
  statementsPerEvent?: number;
  /** Transactions the daemons ran (hookd_storage_transactions_total): exact, unlike pg_stat_database's, which a busy backend publishes up to 10 s late. */
  daemonXactPerEvent?: number;
  xactPerEvent?: number;
  rowsWrittenPerEvent?: number;
  lockWaits?: { samples: number; withWait: number; max: number };
  deadlocks?: number;
  otherXactPerSecond?: number;
  /** The daemons' CPU with no load, ms per second (measured before the ingest phase). */
  idleCpuMsPerSecond?: number;
  /** Statements the daemons sent per second without load (includes one scrape's own few). */
  idleStatementsPerSecond?: number;
  checkpoints?: number;
  lost: number;
  duplicates?: number;
}

const ALL_SETUPS: Setup[] = [
  { name: 'sqlite x1', client: 'sqlite', daemons: 1 },
  { name: 'postgres x1', client: 'postgres', daemons: 1 },
  { name: 'postgres x2', client: 'postgres', daemons: 2 },
  { name: 'postgres x3', client: 'postgres', daemons: 3 },
  { name: 'postgres x3 load on one', client: 'postgres', daemons: 3, loadOnOne: true },
  { name: 'postgres x1 at x3 share', client: 'postgres', daemons: 1, connections: Math.ceil(CONNECTIONS / 3) },
];
// SCALE_ONLY="postgres x3" (comma-separated names) runs only those setups.
// SCALE_STATEMENTS=1 also prints, per phase, the sessions' sampled states and statements;
// SCALE_WARMUP_SECONDS (default 6) sets the warm-up before the ingest phase, per daemon that
// takes load: a daemon's JIT warms with the requests it serves, and three daemons sharing the
// load each serve a third (with a 2 s warm-up, x3 spent 595 us of CPU per event against 327
// after 8 s and 321 after 20 s, x1 about 180 either way).
const SAMPLE_STATEMENTS = Boolean(process.env.SCALE_STATEMENTS);
// SCALE_CPU_PROF=<dir> runs the daemons with node --cpu-prof, profiles written there at their stop.
const CPU_PROF_DIR = process.env.SCALE_CPU_PROF;
const SETUPS = process.env.SCALE_ONLY ? ALL_SETUPS.filter((s) => process.env.SCALE_ONLY!.split(',').includes(s.name)) : ALL_SETUPS;

// The control: the same load, split the same way, against 1 and 3 bare Koa servers (202, nothing
// stored, no coordination). What three processes sharing the load cost on this machine apart
// from anything hookd does: two cores shared by the servers and the load generator, fewer
// requests per event-loop wake-up in each. SCALE_CONTROL=0 leaves it out.
const CONTROL = process.env.SCALE_CONTROL !== '0';

interface Control {
  round: number;
  servers: number;
  perSecond: number;
  cpuUsPerEvent: number;
}

interface SetupRun {
  round: number;
  setup: Setup;
  ingest: PhaseResult;
  /** Absent for a setup that measures ingest only. */
  webhooks?: PhaseResult;
}

async function main(): Promise<void> {
  if (!(await postgresReachable())) {
    console.log('scale: PostgreSQL unreachable (set HOOKD_TEST_DATABASE_URL): skipped');
    return;
  }
  const receiver = fork(fileURLToPath(import.meta.url), ['--receiver'], { execArgv: process.execArgv });
  const [{ url: receiverUrl }] = (await once(receiver, 'message')) as [{ url: string }];
  const loadBefore = loadavg();
  const runs: SetupRun[] = [];
  const controls: Control[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Every setup once a round, the order reversed every other round: a load that drifts over
      // the run (other work on the machine or on the database server) weighs on all setups alike,
      // and each ratio compares figures of the same round, minutes apart at most.
      const order = round % 2 === 0 ? SETUPS : [...SETUPS].reverse();
      for (const setup of order) runs.push({ round, setup, ...(await runSetup(setup, receiver, receiverUrl)) });
      if (CONTROL) for (const servers of round % 2 === 0 ? [1, 3] : [3, 1]) controls.push({ round, servers, ...(await runBareControl(servers)) });
    }
  } finally {
    receiver.send('stop');
    await once(receiver, 'exit');
  }
  const loadAfter = loadavg();
  report(runs);
  reportControl(controls);
  const lost = runs.reduce((n, r) => n + r.ingest.lost + (r.webhooks?.lost ?? 0), 0);
  console.log(`lost: ${lost} (acknowledged events not stored or never delivered, all setups and rounds)`);
  console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  if (lost > 0) process.exitCode = 1;
}

/** Medians and [min-max] over the rounds: one table per phase, then the ratios of each round's figures. */
function report(runs: SetupRun[]): void {
  console.log(
    `\nscale: ${ROUNDS} round(s); ingest ${INGEST_SECONDS} s of POST /events (${CONNECTIONS} connections spread over the daemons); webhooks: ${DELIVERIES} events posted round-robin in batches of ${BATCH}, one delivery each, after ${WARM_DELIVERIES} per loaded daemon unmeasured. Median [min-max] over the rounds.`,
  );
  const spread = (values: Array<number | undefined>, digits = 0) => {
    const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
    if (v.length === 0) return '-';
    const f = (x: number) => x.toFixed(digits);
    return v.length === 1 ? f(v[0]!) : `${f(median(v))} [${f(v[0]!)}-${f(v[v.length - 1]!)}]`;
  };
  const sum = (values: Array<number | undefined>) => (values.some((x) => x !== undefined) ? values.reduce<number>((n, x) => n + (x ?? 0), 0) : '-');
  for (const phase of ['ingest', 'webhooks'] as const) {
    console.table(
      SETUPS.filter((setup) => phase === 'ingest' || setup.connections === undefined).map((setup) => {
        const rs = runs.filter((r) => r.setup === setup).map((r) => r[phase]!);
        return {
          setup: setup.name,
          [phase === 'ingest' ? 'ingest events/s' : 'deliveries/s']: spread(rs.map((r) => r.perSecond)),
          'CPU us/event': spread(rs.map((r) => r.cpuUsPerEvent)),
          ...(phase === 'ingest' ? { 'idle CPU ms/s': spread(rs.map((r) => r.idleCpuMsPerSecond)), 'idle stmts/s': spread(rs.map((r) => r.idleStatementsPerSecond), 1) } : {}),
          'stmts/event': spread(rs.map((r) => r.statementsPerEvent), 2),
          'xact/event': spread(rs.map((r) => r.daemonXactPerEvent), 2),
          'pg xact/event': spread(rs.map((r) => r.xactPerEvent), 2),
          'rows written/event': spread(rs.map((r) => r.rowsWrittenPerEvent), 2),
          'lock-wait samples': rs[0]?.lockWaits ? `${sum(rs.map((r) => r.lockWaits?.withWait))}/${sum(rs.map((r) => r.lockWaits?.samples))} (max ${Math.max(...rs.map((r) => r.lockWaits?.max ?? 0))})` : '-',
          deadlocks: sum(rs.map((r) => r.deadlocks)),
          'other dbs xact/s': spread(rs.map((r) => r.otherXactPerSecond)),
          checkpoints: sum(rs.map((r) => r.checkpoints)),
          lost: sum(rs.map((r) => r.lost)),
          ...(phase === 'webhooks' ? { 'sent twice': sum(rs.map((r) => r.duplicates)) } : {}),
        };
      }),
    );
  }
  // Ratios of the setups that ran (SCALE_ONLY may leave some out), each of one round's figures.
  const rate = (round: number, name: string, phase: 'ingest' | 'webhooks') => runs.find((r) => r.round === round && r.setup.name === name)?.[phase]?.perSecond;
  for (const phase of ['ingest', 'webhooks'] as const) {
    const pairs: Array<[string, string, string]> = [
      ['postgres x1 / sqlite x1', 'postgres x1', 'sqlite x1'],
      ['postgres x2 / x1', 'postgres x2', 'postgres x1'],
      ['postgres x3 / x1', 'postgres x3', 'postgres x1'],
      ['postgres x3 load on one / x1', 'postgres x3 load on one', 'postgres x1'],
    ];
    const shown = pairs.flatMap(([label, a, b]) => {
      const ratios = Array.from({ length: ROUNDS }, (_, round) => {
        const x = rate(round, a, phase);
        const y = rate(round, b, phase);
        return x === undefined || y === undefined ? undefined : x / y;
      });
      return ratios.every((x) => x === undefined) ? [] : [`${label} ${spread(ratios, 2)}x`];
    });
    if (shown.length > 0) console.log(`${phase}: ${shown.join('; ')}`);
  }
  // Coordination's share of x3's cost: a daemon's CPU per event at x3 against one daemon alone
  // serving the same share of the connections (each as loaded as one of x3's, nothing shared).
  const cpuRatios = Array.from({ length: ROUNDS }, (_, round) => {
    const cpu = (name: string) => runs.find((r) => r.round === round && r.setup.name === name)?.ingest.cpuUsPerEvent;
    const [x3, share] = [cpu('postgres x3'), cpu('postgres x1 at x3 share')];
    return x3 === undefined || share === undefined ? undefined : x3 / share;
  });
  if (cpuRatios.some((x) => x !== undefined)) console.log(`ingest CPU per event: postgres x3 / x1 at x3 share ${spread(cpuRatios, 2)}x`);
}

/** The control's figures by server count and its x3/x1 ratio per round. */
function reportControl(controls: Control[]): void {
  if (controls.length === 0) return;
  const of = (servers: number) => controls.filter((c) => c.servers === servers);
  const range = (values: number[]) => `${Math.round(Math.min(...values))}-${Math.round(Math.max(...values))}`;
  const ratios = Array.from({ length: ROUNDS }, (_, round) => {
    const x3 = controls.find((c) => c.round === round && c.servers === 3);
    const x1 = controls.find((c) => c.round === round && c.servers === 1);
    return x3 && x1 ? (x3.perSecond / x1.perSecond).toFixed(2) : '-';
  });
  console.log(
    `control, bare Koa 202 (nothing stored) with the same load split the same way: x1 ${range(of(1).map((c) => c.perSecond))}/s (CPU ${range(of(1).map((c) => c.cpuUsPerEvent))} us/request), ` +
      `x3 ${range(of(3).map((c) => c.perSecond))}/s (CPU ${range(of(3).map((c) => c.cpuUsPerEvent))} us/request); x3 / x1 per round: ${ratios.join(' ')}`,
  );
}

/** The same warm-up and ingest load as a setup's, against `servers` bare Koa servers. */
async function runBareControl(servers: number): Promise<{ perSecond: number; cpuUsPerEvent: number }> {
  const bare = await Promise.all(Array.from({ length: servers }, () => startBare()));
  try {
    await ingestOnce(bare, WARMUP_SECONDS * servers, 'media.updated');
    const cpu = () => bare.reduce((n, b) => n + (processCpuMicros(b.pid) ?? 0), 0);
    const before = cpu();
    const answered = await ingestOnce(bare, INGEST_SECONDS, 'media.updated');
    return { perSecond: answered / INGEST_SECONDS, cpuUsPerEvent: Math.round((cpu() - before) / Math.max(1, answered)) };
  } finally {
    await Promise.all(bare.map((b) => b.stop()));
  }
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A database of its own, so pg_stat_database counts only this setup's daemons. */
async function createBenchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hookd_bench_${process.pid}_${Date.now()}`;
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_TEST_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const u = new URL(POSTGRES_TEST_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = knexFactory({ client: 'pg', connection: POSTGRES_TEST_URL, pool: { min: 0, max: 1 } });
      await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.destroy();
    },
  };
}

async function runSetup(setup: Setup, receiver: ChildProcess, receiverUrl: string): Promise<{ ingest: PhaseResult; webhooks?: PhaseResult }> {
  const temp = makeTempDir('hookd-bench-scale-');
  const database = setup.client === 'postgres' ? await createBenchDatabase() : undefined;
  const stats = database ? knexFactory({ client: 'pg', connection: database.url, pool: { min: 0, max: 1 } }) : undefined;
  const daemons: ChildDaemon[] = [];
  try {
    const spawnNode = (i: number) =>
      spawnListening([
        process.execPath,
        ...SERVE_NODE_FLAGS,
        ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
        CLI,
        'serve',
        '--config',
        writeTestConfig(`${temp.dir}/d${i}`, {
          log: { level: 'info' },
          storage: database ? { client: 'postgres', url: database.url, pool: 10, instance: `bench-${i}` } : {},
          hooks: { watch: false },
          progress: { rateLimit: 0 },
          webhooks: { allowPrivateNetworks: true, maxConcurrencyPerEndpoint: 4, pollInterval: '200ms' },
        }),
      ]);
    daemons.push(await spawnNode(0)); // migrates first
    for (let i = 1; i < setup.daemons; i++) daemons.push(await spawnNode(i));
    const call = (d: ChildDaemon, method: string, path: string, body?: unknown) => request(d.url, method, path, body, { token: ADMIN_TOKEN });
    const wh = await call(daemons[0]!, 'POST', '/webhooks', { url: `${receiverUrl}/in`, events: ['media.added'] });
    if (wh.status !== 201) throw new Error(`POST /webhooks answered ${wh.status}`);
    // Every daemon knows the webhook (registry NOTIFY) before anything is measured.
    for (const d of daemons) await waitUntil(async () => ((await call(d, 'GET', `/webhooks/${wh.body.id}`)).status === 200));
    const loaded = setup.loadOnOne ? daemons.slice(0, 1) : daemons;
    await ingestOnce(loaded, WARMUP_SECONDS * loaded.length, 'media.updated', setup.connections); // warm-up: JIT, pools, keep-alive sockets
    // What the daemons spend without load (the sender's polls, periodic checks, timers): at a low
    // rate it weighs on CPU per event, and more so with more daemons.
    const idleSentBefore = stats ? await statementsSent(daemons) : undefined;
    const idleCpuBefore = daemonsCpu(daemons);
    const idleStarted = performance.now();
    await sleep(IDLE_SECONDS * 1000);
    const idleMs = performance.now() - idleStarted;
    const idleCpuMsPerSecond = Math.round((daemonsCpu(daemons) - idleCpuBefore) / idleMs);
    const idleSentAfter = stats ? await statementsSent(daemons) : undefined;

    // Acknowledged (2xx) against stored, counted outside the measured window.
    const storedBefore = await countEvents(daemons[0]!, 'media.updated');
    let acked = 0;
    const ingest = await measure(daemons, stats, async () => {
      acked = await ingestOnce(loaded, INGEST_SECONDS, 'media.updated', setup.connections);
      return { events: acked, seconds: INGEST_SECONDS, lost: 0 };
    });
    ingest.idleCpuMsPerSecond = idleCpuMsPerSecond;
    if (idleSentBefore && idleSentAfter) ingest.idleStatementsPerSecond = Number((((idleSentAfter.statements - idleSentBefore.statements) * 1000) / idleMs).toFixed(1));
    ingest.lost = Math.max(0, acked - ((await countEvents(daemons[0]!, 'media.updated')) - storedBefore));
    if (setup.connections !== undefined) return { ingest };
    // Posts `count` events round-robin over the loaded daemons and waits until each is delivered.
    const deliverBurst = async (count: number) => {
      receiver.send('reset');
      const started = performance.now();
      const posted: string[] = [];
      for (let i = 0, n = 0; i < count; i += BATCH, n++) {
        const events = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => ({ type: 'media.added', payload: { title: `t${i + j}` } }));
        const r = await call(loaded[n % loaded.length]!, 'POST', '/events', events);
        if (r.status !== 207) throw new Error(`POST /events answered ${r.status}`);
        for (const item of r.body.results as Array<{ status: number; id: string }>) if (item.status === 202) posted.push(item.id);
      }
      const until = Date.now() + 120_000;
      let got = { count: 0, unique: 0 };
      while ((got = await receiverCount(receiver)).unique < posted.length && Date.now() < until) await sleep(10);
      const seconds = (performance.now() - started) / 1000;
      const ids = new Set(await receiverIds(receiver));
      return { events: posted.length, seconds, lost: posted.filter((id) => !ids.has(id)).length, duplicates: got.count - got.unique };
    };
    const warm = await deliverBurst(WARM_DELIVERIES * loaded.length);
    const webhooks = await measure(daemons, stats, () => deliverBurst(DELIVERIES));
    webhooks.lost += warm.lost;
    webhooks.duplicates = (webhooks.duplicates ?? 0) + warm.duplicates;
    return { ingest, webhooks };
  } finally {
    for (const d of daemons) {
      d.child.kill('SIGTERM');
      await d.exited;
    }
    await stats?.destroy();
    await database?.drop();
    temp.remove();
  }
}

/** autocannon against every server at once, the connections split between them; returns the 2xx answers. */
async function ingestOnce(daemons: Array<{ url: string }>, seconds: number, type: string, connections = CONNECTIONS): Promise<number> {
  const body = JSON.stringify({ type, payload: { title: 'Dune', year: 2021, genres: ['sci-fi'] } });
  const results = await Promise.all(
    daemons.map((d) =>
      runLoad(d.url, {
        url: `${d.url}/events`,
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body,
        duration: seconds,
        connections: Math.ceil(connections / daemons.length),
      }),
    ),
  );
  return results.reduce((n, r) => n + r.requests - r.non2xx - r.errors, 0);
}

/** Stored events of a type, through GET /events (every daemon sees the same database). */
async function countEvents(d: ChildDaemon, type: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  for (;;) {
    const r = await request(d.url, 'GET', `/events?type=${type}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, { token: ADMIN_TOKEN });
    if (r.status !== 200) throw new Error(`GET /events answered ${r.status}: ${r.text}`);
    count += (r.body.items as unknown[]).length;
    cursor = r.body.nextCursor ?? undefined;
    if (!cursor) return count;
  }
}

/** Runs a phase; adds the daemons' CPU per event and, on PostgreSQL, transactions, rows and lock waits. */
async function measure(
  daemons: ChildDaemon[],
  stats: Knex | undefined,
  phase: () => Promise<{ events: number; seconds: number; lost: number; duplicates?: number }>,
): Promise<PhaseResult> {
  const cpu = () => daemonsCpu(daemons);
  const before = stats ? await dbCounters(stats) : undefined;
  const sentBefore = stats ? await statementsSent(daemons) : undefined;
  const sampler = stats ? sampleLockWaits(stats) : undefined;
  const cpuBefore = cpu();
  const r = await phase();
  const cpuAfter = cpu();
  const waits = await sampler?.stop();
  // Includes the one scrape's own few reads (about 4 statements a daemon), negligible here.
  const sentAfter = stats ? await statementsSent(daemons) : undefined;
  const after = stats ? await dbCounters(stats) : undefined;
  const result: PhaseResult = {
    perSecond: r.events / r.seconds,
    seconds: r.seconds,
    events: r.events,
    cpuUsPerEvent: Math.round((cpuAfter - cpuBefore) / Math.max(1, r.events)),
    lost: r.lost,
    duplicates: r.duplicates,
  };
  if (before && after && waits) {
    // Less the bench's own: each sample's statements, the first snapshot's SELECT and the second's clear.
    const own = waits.samples * (SAMPLE_STATEMENTS ? 2 : 1) + 2;
    result.xactPerEvent = Number((Math.max(0, after.xact - before.xact - own) / Math.max(1, r.events)).toFixed(2));
    result.rowsWrittenPerEvent = Number(((after.inserted + after.updated - before.inserted - before.updated) / Math.max(1, r.events)).toFixed(2));
    result.statementsPerEvent = Number(((sentAfter!.statements - sentBefore!.statements) / Math.max(1, r.events)).toFixed(2));
    result.daemonXactPerEvent = Number(((sentAfter!.transactions - sentBefore!.transactions) / Math.max(1, r.events)).toFixed(2));
    result.deadlocks = after.deadlocks - before.deadlocks;
    result.lockWaits = waits;
    result.otherXactPerSecond = Math.round((after.otherXact - before.otherXact) / r.seconds);
    result.checkpoints = after.checkpoints - before.checkpoints;
  }
  return result;
}

/** The daemons' CPU time so far (user + system, all threads), in microseconds. */
function daemonsCpu(daemons: ChildDaemon[]): number {
  return daemons.reduce((n, d) => n + (processCpuMicros(d.child.pid!) ?? 0), 0);
}

async function dbCounters(db: Knex): Promise<DbCounters> {
  // The statistics collector publishes at most every 500 ms or so: take a fresh snapshot.
  await db.raw('SELECT pg_stat_clear_snapshot()');
  await sleep(600);
  const { rows } = (await db.raw(
    `SELECT xact_commit + xact_rollback AS xact, deadlocks, tup_inserted, tup_updated,
       (SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database WHERE datname IS DISTINCT FROM current_database()) AS other_xact,
       (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) AS checkpoints
     FROM pg_stat_database WHERE datname = current_database()`,
  )) as {
    rows: Array<{ xact: string; deadlocks: string; tup_inserted: string; tup_updated: string; other_xact: string; checkpoints: string }>;
  };
  const row = rows[0]!;
  return {
    xact: Number(row.xact),
    otherXact: Number(row.other_xact),
    checkpoints: Number(row.checkpoints),
    deadlocks: Number(row.deadlocks),
    inserted: Number(row.tup_inserted),
    updated: Number(row.tup_updated),
  };
}

/** The daemons' hookd_storage_statements_total and _transactions_total, summed. */
async function statementsSent(daemons: ChildDaemon[]): Promise<{ statements: number; transactions: number }> {
  const total = { statements: 0, transactions: 0 };
  for (const d of daemons) {
    const r = await request(d.url, 'GET', '/metrics', undefined, { token: ADMIN_TOKEN });
    if (r.status !== 200) throw new Error(`GET /metrics answered ${r.status}`);
    const families = parsePrometheusText(r.text);
    const sum = (name: string) => samplesOf(families, name).reduce((n, x) => n + x.value, 0);
    total.statements += sum('hookd_storage_statements_total');
    total.transactions += sum('hookd_storage_transactions_total');
  }
  return total;
}

/** Samples how many of this database's sessions wait on a lock (heavyweight: row, tuple, transaction id). */
function sampleLockWaits(db: Knex) {
  let samples = 0;
  let withWait = 0;
  let max = 0;
  let running = true;
  const statements = new Map<string, number>();
  const loop = (async () => {
    while (running) {
      const { rows } = (await db.raw("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")) as { rows: Array<{ n: string }> };
      const n = Number(rows[0]!.n);
      if (SAMPLE_STATEMENTS) await sampleStatements(db, statements);
      samples++;
      if (n > 0) withWait++;
      max = Math.max(max, n);
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      if (SAMPLE_STATEMENTS) console.log([...statements].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v}\t${k}`).join('\n'));
      return { samples, withWait, max };
    },
  };
}

/** Counts each session's state, wait and (last or current) statement: where the database's time goes, or that it is idle. */
async function sampleStatements(db: Knex, into: Map<string, number>): Promise<void> {
  const { rows } = (await db.raw(
    "SELECT state, coalesce(wait_event, '-') AS w, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
  )) as { rows: Array<{ state: string; w: string; q: string }> };
  for (const r of rows) {
    const key = `${r.state} | ${r.w} | ${r.q}`;
    into.set(key, (into.get(key) ?? 0) + 1);
  }
}

function receiverCount(receiver: ChildProcess): Promise<{ count: number; unique: number }> {
  receiver.send('count');
  return once(receiver, 'message').then(([m]) => m as { count: number; unique: number });
}

function receiverIds(receiver: ChildProcess): Promise<string[]> {
  receiver.send('ids');
  return once(receiver, 'message').then(([m]) => (m as { ids: string[] }).ids);
}

async function waitUntil(probe: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 15_000;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error('timed out');
    await sleep(25);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// Last: main() uses the constants above.
if (process.argv.includes('--receiver')) {
  // Counts POSTs and the distinct event ids they carry (a resend is counted, not lost).
  const ids = new Set<string>();
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count += 1;
      ids.add((JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id);
      res.writeHead(204).end();
    });
  }).listen(0, '127.0.0.1', () => process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  process.on('message', (m: string) => {
    if (m === 'count') process.send!({ count, unique: ids.size });
    if (m === 'ids') process.send!({ ids: [...ids] });
    if (m === 'reset') {
      count = 0;
      ids.clear();
    }
    if (m === 'stop') server.close(() => process.exit(0));
  });
} else {
  await main();
}
