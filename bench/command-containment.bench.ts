// What containing command runs costs: one run of a trivial program through the command runner with
// a cgroup per run, with the process-table fallback, and as commands.user (setpriv), against the
// same program spawned bare (execa, detached, no tracking: what runs cost before). Then the
// per-daemon parts: the watchdog's start and memory, the start-time reaper, one /proc sweep.
// `npx tsx bench/command-containment.bench.ts`; about 20 s on the 2-core machine.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import pino from 'pino';
import { detectTracking } from '../lib/commands/containment.ts';
import { createCommandRunner } from '../lib/commands/index.ts';
import { createEnvGrants } from '../lib/env-grants.ts';
import { findRunProcesses } from '../lib/commands/proc-sweep.ts';
import { listProcesses } from '../lib/commands/proc-table.ts';
import { reapLeftovers } from '../lib/commands/reap-leftovers.ts';
import { startWatchdog } from '../lib/commands/watchdog.ts';
import type { CommandsConfig } from '../lib/config/index.ts';
import type { HookRecord } from '../lib/db/hooks-store.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { printTable, ratio } from './load.ts';

const RUNS = 200;
const CONFIG: CommandsConfig = {
  concurrency: 1, timeoutMs: 10_000, killGraceMs: 2000, maxOutputBytes: 65536, maxOutputLines: 1000, cwd: '/tmp', maxPayloadVars: 256, maxPayloadValueBytes: 4096,
  user: null, group: null, tracking: 'auto',
};
const hook = { id: 'bench', name: 'true', kind: 'command', command: ['/bin/true'], env: [] } as unknown as HookRecord;
const event = { id: 'e', type: 'media.added', occurredAt: new Date().toISOString(), payload: { title: 'Akira' } };

interface PerRun {
  wallMs: number;
  /** CPU time of this process (the daemon's side) per run. */
  daemonCpuMs: number;
  /** CPU time of the reaped children (wrapper, setpriv, program) per run, from /proc/self/stat. */
  childCpuMs: number;
}

// Wall time moves with whatever else shares the cores; CPU time per run barely does.
function childTicks(): number {
  const fields = readFileSync('/proc/self/stat', 'latin1').split(') ')[1]!.split(' ');
  return Number(fields[13]) + Number(fields[14]); // cutime + cstime, at USER_HZ = 100
}

async function measure(run: () => Promise<void>): Promise<PerRun> {
  for (let i = 0; i < 20; i += 1) await run(); // warm
  const cpu = process.cpuUsage();
  const ticks = childTicks();
  const started = performance.now();
  for (let i = 0; i < RUNS; i += 1) await run();
  const used = process.cpuUsage(cpu);
  return {
    wallMs: (performance.now() - started) / RUNS,
    daemonCpuMs: (used.user + used.system) / 1000 / RUNS,
    childCpuMs: ((childTicks() - ticks) * 10) / RUNS,
  };
}

const row = (run: string, m: PerRun, base: PerRun) => ({
  run,
  wall_ms: m.wallMs.toFixed(2),
  daemon_cpu_ms: m.daemonCpuMs.toFixed(3),
  child_cpu_ms: m.childCpuMs.toFixed(2),
  cpu_vs_bare: ratio(m.daemonCpuMs + m.childCpuMs, base.daemonCpuMs + base.childCpuMs),
});

const log = pino({ level: 'silent' });
const bare = await measure(async () => {
  await execa('/bin/true', [], { detached: true, extendEnv: false, env: { PATH: '/usr/bin:/bin' }, cwd: '/tmp', reject: false, cleanup: false });
});
const rows: Array<Record<string, string | number>> = [row('bare execa (no tracking: before)', bare, bare)];
const cgroup = detectTracking('auto').mode === 'cgroup';
const variants: Array<[string, Partial<CommandsConfig>]> = [
  ['runner, tracking: proc', { tracking: 'proc' }],
  ...(cgroup ? [['runner, tracking: cgroup', { tracking: 'cgroup' }] as [string, Partial<CommandsConfig>]] : []),
  ...(cgroup && process.getuid?.() === 0 ? [['runner, cgroup + commands.user nobody (setpriv)', { tracking: 'cgroup', user: 'nobody', cwd: null }] as [string, Partial<CommandsConfig>]] : []),
];
for (const [name, config] of variants) {
  const runner = createCommandRunner({ config: { ...CONFIG, ...config }, log, envGrants: createEnvGrants({ secrets: {}, env: {}, credentials: [] }), stateDir: null });
  const measured = await measure(async () => {
    const outcome = await runner.run(hook, event, undefined);
    if (outcome.status !== 'ok') throw new Error(JSON.stringify(outcome));
  });
  await runner.close();
  rows.push(row(name, measured, bare));
}
printTable(`one run of /bin/true, ${RUNS} in sequence, per run (the runner also builds the env, checks the program and captures output)`, rows);

const temp = makeTempDir('hookd-bench-');
try {
  const watchdogStart = performance.now();
  const watchdog = startWatchdog({ tagEntry: 'HOOKD_RUN_ID=bench.' });
  const startMs = performance.now() - watchdogStart;
  await new Promise((r) => setTimeout(r, 200));
  const status = readFileSync(`/proc/${watchdog.pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s*(\d+)/m.exec(status)?.[1]);
  const stopStart = performance.now();
  await watchdog.stop(2000);
  const stopMs = performance.now() - stopStart;

  const reapStart = performance.now();
  for (let i = 0; i < 100; i += 1) await reapLeftovers({ stateDir: temp.dir, log });
  const reapMs = (performance.now() - reapStart) / 100;

  const processes = listProcesses().length;
  const sweep = (since: string) => {
    const cpu = process.cpuUsage();
    for (let i = 0; i < 100; i += 1) findRunProcesses({ tagEntry: 'HOOKD_RUN_ID=bench.1\0', since, leaders: [] });
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000 / 100;
  };
  const sweepAll = sweep('0');
  const sweepRun = sweep(readFileSync('/proc/self/stat', 'latin1').split(') ')[1]!.split(' ')[19]!);

  printTable('per daemon and per sweep', [
    { part: 'watchdog: spawn (once, at the first run)', value: `${startMs.toFixed(2)} ms` },
    { part: 'watchdog: resident memory', value: `${rssKb} KiB` },
    { part: 'watchdog: stop (close the pipe, wait for its exit)', value: `${stopMs.toFixed(2)} ms` },
    { part: 'reaper at start, nothing left over', value: `${reapMs.toFixed(3)} ms` },
    { part: `one /proc sweep as at a run's end: every stat, environments of processes started since (${processes} processes)`, value: `${sweepRun.toFixed(3)} ms CPU` },
    { part: 'one /proc sweep reading every environment too (the reaper\'s worst case)', value: `${sweepAll.toFixed(3)} ms CPU` },
  ]);
} finally {
  temp.remove();
}
