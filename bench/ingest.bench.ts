// POST /events through the real daemon (validated, durably stored, group-committed) against a
// bare Koa handler that answers 202 without storing: same machine, same load, alternating
// rounds so that other work on the machine weighs on both alike. The server's CPU time per
// request is printed too: unlike req/s it barely moves when the cores are shared.
// Where hookd's share goes (2026-12-07, alternated runs on a loaded 2-core VM): with its SQLite
// INSERT made a no-op, the daemon used 73-93 us a request against 144-183 us stored, and 66-73
// when answering right after reading the body (bare 49-59). The durable commit (WAL frames and
// an fsync per group commit, about 2 per 32 requests here) and the waits it causes are half of it.
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig } from '../test/helpers/daemon.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { startBare } from './bare-server.ts';
import { printTable, ratio, runLoad, type LoadResult } from './load.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = 5;
const body = JSON.stringify({ type: 'media.added', payload: { title: 'Dune', year: 2021, genres: ['sci-fi'] } });
const request = {
  method: 'POST' as const,
  headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
  body,
};

const span = (values: number[]) => `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`;

const temp = makeTempDir('hookd-bench-');
try {
  const daemon = await spawnDaemon(writeTestConfig(temp.dir, { log: { level: 'info' } }));
  const bare = await startBare();
  // Warm both up alike so JIT and SQLite page cache do not count against either. 5 s, not 2:
  // after 2-3 s the daemon's V8 compiler threads still used 50-75 us per request in the first
  // round (6 us from the second on), which made round 1 look a third dearer than the rest.
  await runLoad('warmup', { url: `${daemon.url}/events`, duration: WARMUP_SECONDS, ...request });
  await runLoad('warmup', { url: `${bare.url}/`, duration: WARMUP_SECONDS, ...request });
  const rows: LoadResult[] = [];
  const ratios: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const stored = await runLoad(`hookd POST /events (stored) #${round}`, { url: `${daemon.url}/events`, ...request }, daemon.child.pid);
    const baseline = await runLoad(`bare Koa 202 (not stored) #${round}`, { url: `${bare.url}/`, ...request }, bare.pid);
    rows.push(stored, baseline);
    ratios.push(ratio(stored.rps, baseline.rps));
  }
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  await bare.stop();
  printTable(`ingest: 32 connections, 8 s each, ${ROUNDS} alternating rounds`, rows.map((r) => ({ ...r })));
  const hookd = rows.filter((_, i) => i % 2 === 0);
  const base = rows.filter((_, i) => i % 2 === 1);
  console.log(`req/s hookd ${span(hookd.map((r) => r.rps))}, bare ${span(base.map((r) => r.rps))}; hookd/bare per round: ${ratios.join(' ')}`);
  const cpu = (rs: LoadResult[]) => (rs.every((r) => r.cpuUsPerReq !== undefined) ? span(rs.map((r) => r.cpuUsPerReq!)) : 'n/a');
  console.log(`server CPU us/request (all threads): hookd ${cpu(hookd)}, bare ${cpu(base)}`);
} finally {
  temp.remove();
}
