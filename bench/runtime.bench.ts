// Per-call cost of a warm trivial hook through the runtime (daemon -> sandbox host -> SES
// worker and back) against: (a) the same function through piscina without SES, the floor;
// (b) execa spawning a shell script per event; (c) node:vm with a fresh context per call.
// `npx tsx bench/runtime.bench.ts`. This file is also the floor's piscina worker.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';

const HOOK_SOURCE = 'export default async function (event, ctx) { return { ok: true, id: event.id }; }';
// The same hook carrying a 64 KiB table: what a warm call costs when the compiled record is large.
const LARGE_HOOK_SOURCE = `const TABLE = ${JSON.stringify('x'.repeat(64 * 1024))};\n${HOOK_SOURCE.replace('id: event.id', 'id: event.id, n: TABLE.length')}`;
const trivialHook = async (event: { id: string }) => ({ ok: true, id: event.id });

/** Floor worker handler: the same hook body, no SES, no serialization of our own. */
export default function floorHandler(task: { event: { id: string } }) {
  return trivialHook(task.event);
}

interface Row {
  name: string;
  sequentialUs: number;
  pipelinedUs: number;
}

function eventFor(i: number) {
  return { id: `evt-${i}`, type: 'bench.event', occurredAt: new Date().toISOString(), payload: { n: i } };
}

// Best of ROUNDS: on a shared 2-core machine the minimum is the figure least disturbed by
// whatever else runs; every row is measured the same way.
const ROUNDS = 3;

async function measure(calls: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(50, calls); i += 1) await call(i); // warm
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round += 1) {
    let next = 0;
    const started = performance.now();
    const lane = async () => {
      while (next < calls) await call(next++);
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    best = Math.min(best, ((performance.now() - started) * 1000) / calls);
  }
  return best;
}

async function benchRuntime(): Promise<Row[]> {
  const { createCompiler, createSandbox } = await import('../runtime/index.ts');
  const options = await (await import('./load.ts')).defaultSandboxOptions();
  const compiler = createCompiler(options);
  const sandbox = createSandbox({ ...options, minThreads: 2, maxThreads: 2 });
  try {
    await sandbox.start();
    const rows: Row[] = [];
    for (const [name, source] of [['hookd runtime (SES, host process)', HOOK_SOURCE], ['hookd runtime, 64 KiB hook', LARGE_HOOK_SOURCE]] as const) {
      const compiled = await compiler.compile(source, `hooks/bench-${rows.length}.js`);
      if (!compiled.ok) throw new Error(compiled.error.message);
      const call = async (i: number) => {
        const outcome = await sandbox.run({ hookId: `bench-${rows.length}`, hookName: 'bench', hook: compiled.hook, event: eventFor(i) });
        if (outcome.status !== 'ok') throw new Error(`runtime call failed: ${JSON.stringify(outcome)}`);
      };
      rows.push({ name, sequentialUs: await measure(2000, 1, call), pipelinedUs: await measure(4000, 32, call) });
    }
    return rows;
  } finally {
    await sandbox.close();
    await compiler.close();
  }
}

async function benchFloor(): Promise<Row> {
  const { Piscina } = await import('piscina');
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const pool = new Piscina({ filename: fileURLToPath(import.meta.url), minThreads: 2, maxThreads: 2, execArgv: ['--import', tsx] });
  try {
    const call = (i: number) => pool.run({ event: eventFor(i) });
    return { name: '(a) piscina, no SES (floor)', sequentialUs: await measure(2000, 1, call), pipelinedUs: await measure(4000, 32, call) };
  } finally {
    await pool.destroy();
  }
}

async function benchExeca(): Promise<Row> {
  const { execa } = await import('execa');
  const dir = mkdtempSync(join(tmpdir(), 'hookd-bench-'));
  const script = join(dir, 'hook.sh');
  writeFileSync(script, '#!/bin/sh\nread -r event\nprintf \'{"ok":true}\\n\'\n');
  chmodSync(script, 0o755);
  try {
    const call = async (i: number) => {
      const { stdout } = await execa(script, { input: JSON.stringify(eventFor(i)), timeout: 5_000 });
      JSON.parse(stdout);
    };
    return { name: '(b) execa, shell script per event', sequentialUs: await measure(100, 1, call), pipelinedUs: await measure(200, 8, call) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchVm(): Promise<Row> {
  const script = new vm.Script('(async function (event) { return { ok: true, id: event.id }; })');
  const call = async (i: number) => {
    const context = vm.createContext({});
    const fn = script.runInContext(context) as (event: unknown) => Promise<unknown>;
    await fn(eventFor(i));
  };
  return { name: '(c) node:vm, fresh context per call', sequentialUs: await measure(300, 1, call), pipelinedUs: await measure(300, 32, call) };
}

function printTable(rows: Row[]): void {
  const floor = rows.find((r) => r.name.startsWith('(a)'));
  const runtime = rows[0];
  if (!floor || !runtime) return;
  const fmt = (us: number) => `${us.toFixed(1)} us`;
  const table = rows.map((r) => ({
    'per call': r.name,
    sequential: fmt(r.sequentialUs),
    'vs floor (seq)': `${(r.sequentialUs / floor.sequentialUs).toFixed(2)}x`,
    pipelined: fmt(r.pipelinedUs),
    'vs floor (pipe)': `${(r.pipelinedUs / floor.pipelinedUs).toFixed(2)}x`,
    'runtime is faster by (seq)': r === runtime ? '-' : `${(r.sequentialUs / runtime.sequentialUs).toFixed(1)}x`,
  }));
  console.table(table);
  const execaRow = rows.find((r) => r.name.startsWith('(b)'));
  console.log(`aim: runtime within 2x of the floor sequentially: ${(runtime.sequentialUs / floor.sequentialUs).toFixed(2)}x`);
  if (execaRow) console.log(`aim: at least 20x faster than execa per event: ${(execaRow.sequentialUs / runtime.sequentialUs).toFixed(1)}x`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const rows = [...(await benchRuntime()), await benchFloor(), await benchExeca(), await benchVm()];
  printTable(rows);
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s, ${new Date().toISOString()})`);
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
