// Webhook deliveries per second through hookd's durable outbox (POST /events -> stored ->
// dispatched -> outbox row -> claimed -> signed POST -> attempt committed) against a plain loop
// of fetch POSTs to the same receiver, same run. The receiver runs in its own process (this
// file with --receiver), so neither side shares an event loop with it. Each concurrency is
// compared with the plain loop at the same one (the endpoint's maxConcurrencyPerEndpoint).
// `npx tsx bench/webhooks.bench.ts` (SYNC=normal runs SQLite with synchronous=normal;
// PROFILE_DIR=/tmp/prof writes each daemon's --cpu-prof there, for bench/profile-summary.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, CLI, spawnDaemon, spawnListening, writeTestConfig } from '../test/helpers/daemon.ts';
import { request } from '../test/helpers/http.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { processTreeCpuMicros } from './load.ts';

const DELIVERIES = 3000;
const BATCH = 500;
/** Requests at a time: the endpoint's maxConcurrencyPerEndpoint, and the plain loop's. */
const CONCURRENCY = [1, 4];

if (process.argv.includes('--receiver')) {
  // Counts POSTs and answers 204 as soon as the body is read, like a well-behaved receiver.
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      res.writeHead(204).end();
    });
  }).listen(0, '127.0.0.1', () => process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  process.on('message', (m: string) => {
    if (m === 'count') process.send!({ count });
    if (m === 'reset') count = 0;
    if (m === 'stop') server.close(() => process.exit(0));
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const receiver = fork(fileURLToPath(import.meta.url), ['--receiver'], { execArgv: process.execArgv });
  const [{ url: receiverUrl }] = (await once(receiver, 'message')) as [{ url: string }];
  try {
    // At each concurrency the sender, then at once the plain loop, against one receiver: each
    // pair runs seconds apart, so a change in the machine's load (other work shares the cores)
    // skews its ratio less than when all sender runs came first.
    const body = JSON.stringify({ id: 'e', type: 'media.added', occurredAt: new Date().toISOString(), payload: { title: 'Dune' } });
    await fetchLoop(receiverUrl, body, 300, 1); // warm-up
    const outbox = new Map<number, Rate>();
    const plain = new Map<number, Rate>();
    for (const n of CONCURRENCY) {
      outbox.set(n, await senderRate(receiver, receiverUrl, n));
      plain.set(n, await fetchLoop(receiverUrl, body, DELIVERIES, n));
    }

    console.log(`\nwebhooks: ${DELIVERIES} deliveries to one local receiver (synchronous: ${process.env.SYNC ?? 'full'})`);
    console.table(
      CONCURRENCY.flatMap((n) => [
        { path: `hookd outbox, ${n} per endpoint (stored, signed, attempt logged)`, 'deliveries/s': Math.round(outbox.get(n)!.perSecond), 'CPU us/delivery': outbox.get(n)!.cpuUs ?? 'n/a' },
        { path: `plain fetch loop, ${n} at a time`, 'deliveries/s': Math.round(plain.get(n)!.perSecond), 'CPU us/delivery': plain.get(n)!.cpuUs ?? 'n/a' },
      ]),
    );
    for (const n of CONCURRENCY) console.log(`ratio outbox/fetch (${n} at a time): ${(outbox.get(n)!.perSecond / plain.get(n)!.perSecond).toFixed(2)}x`);
    console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    receiver.send('stop');
    await once(receiver, 'exit');
  }
}

/**
 * Deliveries per second, and CPU time per delivery of the sending side: the daemon and its
 * children (storing the events included) for the outbox, this process for the plain loop.
 * Unlike the rate, CPU time barely moves when other work shares the cores.
 */
interface Rate {
  perSecond: number;
  cpuUs?: number;
}

/** Deliveries per second through a fresh daemon whose endpoint takes `perEndpoint` requests at a time. */
async function senderRate(receiver: ChildProcess, receiverUrl: string, perEndpoint: number): Promise<Rate> {
  const temp = makeTempDir('hookd-bench-');
  try {
    const config = writeTestConfig(temp.dir, { log: { level: 'info' }, storage: { synchronous: process.env.SYNC ?? 'full' }, webhooks: { maxConcurrencyPerEndpoint: perEndpoint } });
    const profileDir = process.env.PROFILE_DIR;
    const daemon = await (profileDir ? spawnListening([process.execPath, '--cpu-prof', `--cpu-prof-dir=${profileDir}`, CLI, 'serve', '--config', config]) : spawnDaemon(config));
    const call = (method: string, path: string, body?: unknown) => request(daemon.url, method, path, body, { token: ADMIN_TOKEN });
    await call('POST', '/webhooks', { url: `${receiverUrl}/in`, events: ['media.*'] });
    await throughOutbox(call, receiver, 300); // warm-up: JIT, SQLite cache, keep-alive sockets
    const cpuBefore = processTreeCpuMicros(daemon.child.pid!);
    const perSecond = await throughOutbox(call, receiver, DELIVERIES);
    const cpuAfter = processTreeCpuMicros(daemon.child.pid!);
    const rate = { perSecond, cpuUs: cpuBefore === undefined || cpuAfter === undefined ? undefined : Math.round((cpuAfter - cpuBefore) / DELIVERIES) };
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    return rate;
  } finally {
    temp.remove();
  }
}

function countOf(receiver: ChildProcess): Promise<number> {
  receiver.send('count');
  return once(receiver, 'message').then(([m]) => (m as { count: number }).count);
}

/**
 * Posts `n` events (batches of BATCH) and measures until the receiver has all n deliveries
 * and the daemon has committed every attempt (its succeeded-deliveries counter moves only
 * once an attempt's record is committed): hookd's figure includes the durable record.
 */
async function throughOutbox(call: (m: string, p: string, b?: unknown) => Promise<{ status: number; text: string }>, receiver: ChildProcess, n: number): Promise<number> {
  receiver.send('reset');
  const recordedBefore = await recordedCount(call);
  const started = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => ({ type: 'media.added', payload: { title: `t${i + j}` } }));
    const res = await call('POST', '/events', events);
    if (res.status !== 207) throw new Error(`POST /events answered ${res.status}`);
  }
  while ((await countOf(receiver)) < n) await new Promise((r) => setTimeout(r, 5));
  while ((await recordedCount(call)) < recordedBefore + n) await new Promise((r) => setTimeout(r, 5));
  return n / ((performance.now() - started) / 1000);
}

/** Deliveries whose successful attempt the daemon has committed (GET /metrics). */
async function recordedCount(call: (m: string, p: string) => Promise<{ status: number; text: string }>): Promise<number> {
  const res = await call('GET', '/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  let total = 0;
  for (const m of res.text.matchAll(/^hookd_webhook_deliveries_total\{[^}]*outcome="succeeded"[^}]*\} (\d+)/gm)) total += Number(m[1]);
  return total;
}

async function fetchLoop(url: string, body: string, n: number, concurrency: number): Promise<Rate> {
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (next < n) {
      next += 1;
      const res = await fetch(`${url}/in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(cpu);
  return { perSecond: n / ((performance.now() - started) / 1000), cpuUs: Math.round((used.user + used.system) / n) };
}
