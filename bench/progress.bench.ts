// Progress throughput and its cost to business events: NDJSON progress batches POSTed into the
// real daemon (a child process), through the coalescer and the bus out to an SSE client; then
// the p99 of business-event POSTs alone and during a progress flood, side by side.
import { ADMIN_TOKEN, EVENTS_TOKEN, spawnDaemon, writeTestConfig } from '../test/helpers/daemon.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { printTable, ratio, runLoad } from './load.ts';

const BATCH = 1000;
const POSTERS = 3;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
// The flood comes from its own producer (a download client), business events from another
// (the media manager): progress.rateLimit is per token.
const floodAuth = { authorization: `Bearer ${EVENTS_TOKEN}` };

/** Counts SSE frames on GET /stream without parsing them (the client must not be the bottleneck). */
async function countFrames(url: string, signal: AbortSignal): Promise<{ frames: () => number }> {
  const res = await fetch(`${url}/stream?types=job.progress`, { headers: auth, signal });
  let frames = 0;
  void (async () => {
    const decoder = new TextDecoder();
    let tail = '';
    try {
      for await (const chunk of res.body!) {
        const text = tail + decoder.decode(chunk as Uint8Array, { stream: true });
        for (let i = text.indexOf('\ndata: '); i >= 0; i = text.indexOf('\ndata: ', i + 1)) frames++;
        tail = text.slice(-6);
      }
    } catch {
      // aborted at the end of the run
    }
  })();
  return { frames: () => frames };
}

/** POSTERS loops posting NDJSON batches until `until` (at most `rate` events/s when given). */
async function flood(url: string, until: number, keyOf: (n: number) => string, rate?: number): Promise<number> {
  let posted = 0;
  let n = 0;
  const started = Date.now();
  const loop = async () => {
    while (Date.now() < until) {
      const due = rate === undefined ? 0 : started + (n / rate) * 1000 - Date.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
      const lines: string[] = [];
      for (let i = 0; i < BATCH; i++, n++) lines.push(JSON.stringify({ type: 'job.progress', payload: { key: keyOf(n), pct: n % 100 } }));
      try {
        const res = await fetch(`${url}/events`, { method: 'POST', headers: { ...floodAuth, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
        await res.arrayBuffer();
        if (res.status === 207) posted += BATCH;
      } catch {
        // a kept-alive socket the server closed while idle between phases: post again
      }
    }
  };
  await Promise.all(Array.from({ length: POSTERS }, loop));
  return posted;
}

const stats = async (url: string) => (await (await fetch(`${url}/stats`, { headers: auth })).json()) as any;

/**
 * Runs a filter hook that reports 1000 progress updates per call over 10 keys, from 2 clients.
 * The worker keeps the latest per key in each batch, so "posted" counts the hook's calls to
 * ctx.progress and "received" what reached the bus.
 */
async function fromHook(url: string, until: number): Promise<number> {
  let reported = 0;
  const loop = async () => {
    while (Date.now() < until) {
      const res = await fetch(`${url}/events?wait=true`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'library.scan.completed', payload: { files: 1000 } }),
      });
      await res.arrayBuffer();
      if (res.status === 200) reported += 1000;
    }
  };
  await Promise.all([loop(), loop()]);
  return reported;
}

async function measureFlood(url: string, name: string, seconds: number, keyOf: (n: number) => string, produce?: (until: number) => Promise<number>) {
  const abort = new AbortController();
  const sse = await countFrames(url, abort.signal);
  const before = (await stats(url)).progress;
  const started = performance.now();
  const posted = produce ? await produce(Date.now() + seconds * 1000) : await flood(url, Date.now() + seconds * 1000, keyOf);
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 300)); // the last window goes out
  const after = await stats(url);
  abort.abort();
  const p = after.progress;
  return {
    name,
    'posted/s': Math.round(posted / elapsed),
    'received/s': Math.round((p.received - before.received) / elapsed),
    'delivered/s': Math.round((p.delivered - before.delivered) / elapsed),
    'coalesced %': Math.round((100 * (p.coalesced - before.coalesced)) / Math.max(1, p.received - before.received)),
    'SSE frames/s': Math.round(sse.frames() / elapsed),
    'SSE dropped': after.stream.dropped,
  };
}

const temp = makeTempDir('hookd-bench-');
try {
  // Unlimited first: what the pipeline itself sustains, and what an unthrottled flood costs.
  const daemon = await spawnDaemon(writeTestConfig(temp.dir, { log: { level: 'info' }, progress: { rateLimit: 0 } }));
  const url = daemon.url;
  await flood(url, Date.now() + 1000, (n) => `w${n % 10}`); // warm-up: JIT, sockets

  const coalesced = await measureFlood(url, '100 keys (coalesced)', 5, (n) => `k${n % 100}`);
  const distinct = await measureFlood(url, 'distinct keys (none coalesced)', 5, (n) => `u${n}`);
  const hook = await fetch(`${url}/hooks`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'progress-reporter',
      events: ['library.scan.completed'],
      mode: 'filter',
      source: 'export default (e, ctx) => { for (let i = 0; i < 1000; i++) ctx.progress({ key: "part" + (i % 10), pct: i / 10 }); }',
    }),
  });
  if (hook.status !== 201) throw new Error(`could not register the progress hook: ${await hook.text()}`);
  const hooked = await measureFlood(url, 'from a hook: 1000 ctx.progress per call, 10 keys', 5, (n) => `h${n}`, (until) => fromHook(url, until));
  printTable(`progress: ${POSTERS} posters x NDJSON batches of ${BATCH} (or a hook), one SSE client`, [coalesced, distinct, hooked]);

  const business = {
    method: 'POST' as const,
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'media.added', payload: { title: 'Dune', year: 2021 } }),
  };
  await runLoad('warmup', { url: `${url}/events`, duration: 1, ...business });
  const alone = await runLoad('business POST alone', { url: `${url}/events`, duration: 6, ...business });
  const withFlood = async (name: string, rate?: number, target = url) => {
    const abort = new AbortController();
    const sse = await countFrames(target, abort.signal);
    const floodDone = flood(target, Date.now() + 6_000, (n) => `k${n % 100}`, rate);
    const result = await runLoad(name, { url: `${target}/events`, duration: 6, ...business });
    const posted = await floodDone;
    abort.abort();
    return { ...result, 'progress/s': Math.round(posted / 6), 'SSE frames/s': Math.round(sse.frames() / 6) };
  };
  const paced = await withFlood('+ progress flood paced at 20k/s', 20_000);
  const unpaced = await withFlood('+ progress flood, unpaced, no rate limit');
  daemon.child.kill('SIGTERM');
  await daemon.exited;

  // The default config: progress.rateLimit answers the flooding producer with 429 (before
  // reading its bodies once it is over), so the other producer's business events go on.
  const limitedDir = makeTempDir('hookd-bench-');
  const limitedDaemon = await spawnDaemon(writeTestConfig(limitedDir.dir, { log: { level: 'info' } }));
  await runLoad('warmup', { url: `${limitedDaemon.url}/events`, duration: 1, ...business });
  const limited = await withFlood('+ progress flood, unpaced, default rateLimit', undefined, limitedDaemon.url);
  limitedDaemon.child.kill('SIGTERM');
  await limitedDaemon.exited;
  limitedDir.remove();

  printTable('business events: 32 connections, 6 s each', [{ ...alone }, paced, unpaced, limited]);
  console.log(`p99 paced flood / alone: ${ratio(paced.p99, alone.p99)}   throughput: ${ratio(paced.rps, alone.rps)}`);
  console.log(`p99 unpaced flood / alone: ${ratio(unpaced.p99, alone.p99)}   throughput: ${ratio(unpaced.rps, alone.rps)}`);
  console.log(`p99 unpaced flood with the default rate limit / alone: ${ratio(limited.p99, alone.p99)}   throughput: ${ratio(limited.rps, alone.rps)}`);
} finally {
  temp.remove();
}
