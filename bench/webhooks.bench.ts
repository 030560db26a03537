// Webhook deliveries per second through hookd's durable outbox (POST /events -> stored ->
// dispatched -> outbox row -> claimed -> signed POST -> attempt recorded) against a plain loop
// of fetch POSTs to the same receiver, same run. The receiver runs in its own process (this
// file with --receiver), so neither side shares an event loop with it.
// `npx tsx bench/webhooks.bench.ts` (SYNC=normal runs SQLite with synchronous=normal).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig } from '../test/helpers/daemon.ts';
import { request } from '../test/helpers/http.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';

const DELIVERIES = 3000;
const BATCH = 500;
const PER_ENDPOINT = 4;

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
  const temp = makeTempDir('hookd-bench-');
  try {
    const daemon = await spawnDaemon(writeTestConfig(temp.dir, { log: { level: 'info' }, storage: { synchronous: process.env.SYNC ?? 'full' }, webhooks: { maxConcurrencyPerEndpoint: PER_ENDPOINT } }));
    const call = (method: string, path: string, body?: unknown) => request(daemon.url, method, path, body, { token: ADMIN_TOKEN });
    await call('POST', '/webhooks', { url: `${receiverUrl}/in`, events: ['media.*'] });

    await throughOutbox(call, receiver, 300); // warm-up: JIT, SQLite cache, keep-alive sockets
    const outbox = await throughOutbox(call, receiver, DELIVERIES);
    daemon.child.kill('SIGTERM');
    await daemon.exited;

    const body = JSON.stringify({ id: 'e', type: 'media.added', occurredAt: new Date().toISOString(), payload: { title: 'Dune' } });
    await fetchLoop(receiverUrl, body, 300, 1);
    const sequential = await fetchLoop(receiverUrl, body, DELIVERIES, 1);
    const concurrent = await fetchLoop(receiverUrl, body, DELIVERIES, PER_ENDPOINT);

    console.log(`\nwebhooks: ${DELIVERIES} deliveries to one local receiver (synchronous: ${process.env.SYNC ?? 'full'}, ${PER_ENDPOINT} per endpoint)`);
    console.table([
      { path: 'hookd outbox (stored, signed, attempt logged)', 'deliveries/s': Math.round(outbox) },
      { path: 'plain fetch loop, 1 at a time', 'deliveries/s': Math.round(sequential) },
      { path: `plain fetch loop, ${PER_ENDPOINT} at a time`, 'deliveries/s': Math.round(concurrent) },
    ]);
    console.log(`ratio outbox/fetch (1 at a time): ${(outbox / sequential).toFixed(2)}x`);
    console.log(`ratio outbox/fetch (${PER_ENDPOINT} at a time): ${(outbox / concurrent).toFixed(2)}x`);
  } finally {
    receiver.send('stop');
    await once(receiver, 'exit');
    temp.remove();
  }
}

function countOf(receiver: ChildProcess): Promise<number> {
  receiver.send('count');
  return once(receiver, 'message').then(([m]) => (m as { count: number }).count);
}

/** Posts `n` events (batches of BATCH) and measures until the receiver has all n deliveries. */
async function throughOutbox(call: (m: string, p: string, b?: unknown) => Promise<{ status: number }>, receiver: ChildProcess, n: number): Promise<number> {
  receiver.send('reset');
  const started = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => ({ type: 'media.added', payload: { title: `t${i + j}` } }));
    const res = await call('POST', '/events', events);
    if (res.status !== 207) throw new Error(`POST /events answered ${res.status}`);
  }
  while ((await countOf(receiver)) < n) await new Promise((r) => setTimeout(r, 5));
  return n / ((performance.now() - started) / 1000);
}

async function fetchLoop(url: string, body: string, n: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      next += 1;
      const res = await fetch(`${url}/in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return n / ((performance.now() - started) / 1000);
}
