// POST /events?wait=true with one trivial filter hook against the same POST for a type no
// hook subscribes to: the latency a filter adds (p50, p99) and the throughput ratio, one run,
// same daemon. And a chain of five trivial filters against the one: the aim is that a chain
// crosses into the sandbox host once per event, so five cost within 2x of one.
import { request } from '../test/helpers/http.ts';
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig } from '../test/helpers/daemon.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { printTable, processTreeCpuMicros, ratio, runLoad } from './load.ts';

const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const load = (url: string, type: string) => ({
  url: `${url}/events?wait=true`,
  method: 'POST' as const,
  headers,
  body: JSON.stringify({ type, payload: { title: 'Frieren', genres: ['Anime'] } }),
  connections: 16,
  duration: 8,
});

const temp = makeTempDir('hookd-bench-');
try {
  const daemon = await spawnDaemon(writeTestConfig(temp.dir, { log: { level: 'info' }, hooks: { watch: false } }));
  const hook = await request(daemon.url, 'POST', '/hooks', {
    name: 'trivial-filter',
    events: ['media.added'],
    mode: 'filter',
    source: 'export default (event) => ({ patch: { qualityProfile: "Anime" } })',
  }, { token: ADMIN_TOKEN });
  if (hook.status !== 201) throw new Error(`could not register the hook: ${hook.text}`);
  for (let i = 1; i <= 5; i += 1) {
    const chained = await request(daemon.url, 'POST', '/hooks', {
      name: `chain-filter-${i}`,
      events: ['media.imported'],
      mode: 'filter',
      priority: i,
      source: `export default (event) => ({ patch: { step${i}: true } })`,
    }, { token: ADMIN_TOKEN });
    if (chained.status !== 201) throw new Error(`could not register the hook: ${chained.text}`);
  }
  await runLoad('warmup', { ...load(daemon.url, 'media.added'), duration: 2 });
  await runLoad('warmup', { ...load(daemon.url, 'media.updated'), duration: 2 });
  await runLoad('warmup', { ...load(daemon.url, 'media.imported'), duration: 2 });
  // CPU per request counts the daemon and its sandbox host (the hooks run there).
  const measure = (name: string, type: string) => runLoad(name, load(daemon.url, type), daemon.child.pid, processTreeCpuMicros);
  const withHook = await measure('wait=true, 1 filter hook', 'media.added');
  const withChain = await measure('wait=true, 5 filter hooks', 'media.imported');
  const without = await measure('wait=true, no hooks', 'media.updated');
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  printTable('dispatch: POST /events?wait=true, 16 connections, 8 s each', [withHook, withChain, without].map((r) => ({ ...r })));
  console.log(
    `added latency p50: ${(withHook.p50 - without.p50).toFixed(2)} ms, p99: ${(withHook.p99 - without.p99).toFixed(2)} ms; ` +
      `throughput with/without: ${ratio(withHook.rps, without.rps)}`,
  );
  // Cost per event as time per request at full load: 1 / throughput.
  console.log(`aim: a chain of 5 filters within 2x the cost of 1: ${ratio(withHook.rps, withChain.rps)} ` +
    `(p50 ${withChain.p50.toFixed(2)} ms vs ${withHook.p50.toFixed(2)} ms` +
    (withChain.cpuUsPerReq && withHook.cpuUsPerReq ? `; CPU per event ${ratio(withChain.cpuUsPerReq, withHook.cpuUsPerReq)}: ${withChain.cpuUsPerReq} vs ${withHook.cpuUsPerReq} us` : '') + ')');
} finally {
  temp.remove();
}
