// The cost of metrics on the hot paths: CPU per call of each observe port (what POST /events,
// a hook call and a webhook attempt pay), and the CPU of one scrape with the label caps full
// (500 hooks in two modes, 500 webhooks). In-process, no daemon: compare the per-call figures
// with the CPU per request the ingest bench prints (hundreds of us).
import { createMetrics } from '../lib/metrics/index.ts';
import { printTable } from './load.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 500_000);
const hooks = Array.from({ length: 500 }, (_, i) => `hook-${i}`);
const webhooks = Array.from({ length: 500 }, (_, i) => `wh_${i}`);
const metrics = createMetrics({
  catalogTypes: ['media.added'],
  hookNames: async () => hooks,
  countOwedEvents: async () => 0,
  webhookIds: async () => webhooks,
  countBacklog: async () => ({ pending: 0, retrying: 0 }),
  sandbox: {
    stats: () => ({ hostPid: process.pid, hostStarts: 1, inFlight: 0, completed: 0 }),
    ping: async () => ({ pid: process.pid, pools: { default: { threads: 2, queued: 0, completed: 0 } } }),
    pingTimeoutMs: 100,
  },
  progressStats: () => ({ received: 0, coalesced: 0, rejected: 0 }),
  streamStats: () => ({ clients: 0, dropped: 0 }),
});

function cpuMicrosPerCall(fn: (i: number) => void): number {
  for (let i = 0; i < CALLS / 10; i++) fn(i); // warm up
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) fn(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / CALLS;
}

const rows = [
  { port: 'events.received (POST /events)', usPerCall: cpuMicrosPerCall(() => metrics.events.received('media.added')) },
  { port: 'events.rejected (unknown type)', usPerCall: cpuMicrosPerCall((i) => metrics.events.rejected(`made.up.${i % 1000}`, 'UNKNOWN_EVENT_TYPE')) },
  { port: 'observeHookCall', usPerCall: cpuMicrosPerCall((i) => metrics.observeHookCall({ hook: hooks[i % 500]!, mode: i % 2 ? 'filter' : 'action', status: 'ok', durationMs: 0.07 })) },
  { port: 'observeFilterChain', usPerCall: cpuMicrosPerCall(() => metrics.observeFilterChain({ type: 'media.added', durationMs: 1 })) },
  { port: 'observeWebhookAttempt', usPerCall: cpuMicrosPerCall((i) => metrics.observeWebhookAttempt({ webhookId: webhooks[i % 500]!, outcome: 'succeeded', durationMs: 20 })) },
].map((r) => ({ ...r, usPerCall: Number(r.usPerCall.toFixed(3)) }));
printTable(`metrics ports: CPU us per call, ${CALLS} calls each`, rows);

const scrapes = 20;
await metrics.render();
const start = process.cpuUsage();
let bytes = 0;
for (let i = 0; i < scrapes; i++) bytes = (await metrics.render()).length;
const used = process.cpuUsage(start);
console.log(`one scrape with the label caps full: ${((used.user + used.system) / scrapes / 1000).toFixed(1)} ms CPU, ${(bytes / 1024).toFixed(0)} KiB of text`);
