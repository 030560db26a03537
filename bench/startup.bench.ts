// Start-up and footprint, hookd's build against a bare Koa + SQLite app started the same way
// (plain node, a fresh data dir): time from spawn to the first 200 from GET /healthz, and the
// idle RSS of the whole process tree (hookd's includes its sandbox host with a warm worker)
// a few seconds later. Alternating rounds, medians and ratios. Then the CLI's own start:
// `hookd --help` and `hookd check` on the example hooks (a first check, and a re-check of
// unchanged hooks), against `node -e 0`; and a first check without the build's compile snapshot
// (a copy of the package without dist/runtime/compile/compile.blob: Babel in a worker thread).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTestConfig } from '../test/helpers/daemon.ts';
import { processTree } from '../test/helpers/process-tree.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { printTable, ratio } from './load.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IDLE_MS = 3_000;
const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'dist', 'lib', 'cli.js');
const BARE = fileURLToPath(new URL('./fixtures/bare-koa-sqlite.mjs', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilHealthy(port: number, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before healthy`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function treeRssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kb / 1024;
}

interface Sample { startMs: number; rssMb: number; processes: number }

async function measure(args: (port: number, dir: string) => string[]): Promise<Sample> {
  const temp = makeTempDir('hookd-bench-');
  try {
    const port = await freePort();
    const began = performance.now();
    const child = spawn(process.execPath, args(port, temp.dir), { stdio: 'ignore', env: { PATH: process.env.PATH } });
    await untilHealthy(port, child);
    const startMs = performance.now() - began;
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const sample = { startMs, rssMb: treeRssMb(child.pid!), processes: processTree(child.pid!).length };
    child.kill('SIGTERM');
    await once(child, 'exit');
    return sample;
  } finally {
    temp.remove();
  }
}

const hookdArgs = (port: number, dir: string) => [CLI, 'serve', '--config', writeTestConfig(dir, { server: { port }, log: { level: 'info' } })];
const bareArgs = (port: number, dir: string) => [BARE, String(port), join(dir, 'hello.db')];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const hookd: Sample[] = [];
const bare: Sample[] = [];
for (let round = 0; round < ROUNDS; round++) {
  hookd.push(await measure(hookdArgs));
  bare.push(await measure(bareArgs));
}
printTable(`startup: spawn to healthy, idle tree RSS after ${IDLE_MS / 1000} s; ${ROUNDS} alternating rounds`, [
  ...hookd.map((s, i) => ({ app: `hookd #${i + 1}`, 'start ms': s.startMs.toFixed(0), 'tree RSS MB': s.rssMb.toFixed(1), processes: s.processes })),
  ...bare.map((s, i) => ({ app: `bare Koa+SQLite #${i + 1}`, 'start ms': s.startMs.toFixed(0), 'tree RSS MB': s.rssMb.toFixed(1), processes: s.processes })),
]);
const hStart = median(hookd.map((s) => s.startMs));
const bStart = median(bare.map((s) => s.startMs));
const hRss = median(hookd.map((s) => s.rssMb));
const bRss = median(bare.map((s) => s.rssMb));
console.log(`median start: hookd ${hStart.toFixed(0)} ms, bare ${bStart.toFixed(0)} ms, hookd/bare ${ratio(hStart, bStart)}`);
console.log(`median idle tree RSS: hookd ${hRss.toFixed(1)} MB, bare ${bRss.toFixed(1)} MB, hookd/bare ${ratio(hRss, bRss)}`);

function timeCommand(args: string[], env: Record<string, string> = {}): number {
  const began = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: REPO, stdio: 'ignore', env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}`);
  return performance.now() - began;
}
// `hookd check` keeps compiled hook files in the data directory: a first check compiles every
// hook (a fresh data dir each time), a re-check of unchanged hooks reads them back.
const checkData = makeTempDir('hookd-bench-check-');
const firstCheck = (cli = CLI) => () => {
  const fresh = makeTempDir('hookd-bench-check-');
  try {
    return timeCommand([cli, 'check'], { HOOKD_DATA_DIR: fresh.dir });
  } finally {
    fresh.remove();
  }
};
// The package again, its build without the compile snapshot, resolving the same node_modules.
const withoutSnapshot = makeTempDir('hookd-bench-build-');
for (const part of ['package.json', 'config', 'dist/lib', 'dist/runtime']) cpSync(join(REPO, part), join(withoutSnapshot.dir, part), { recursive: true });
symlinkSync(join(REPO, 'node_modules'), join(withoutSnapshot.dir, 'node_modules'));
rmSync(join(withoutSnapshot.dir, 'dist/runtime/compile/compile.blob.json'));
timeCommand([CLI, 'check'], { HOOKD_DATA_DIR: checkData.dir });
const cli = [
  { command: 'node -e 0', ms: median(Array.from({ length: ROUNDS }, () => timeCommand(['-e', '0']))) },
  { command: 'hookd --help', ms: median(Array.from({ length: ROUNDS }, () => timeCommand([CLI, '--help']))) },
  { command: 'hookd check (example hooks, first: compiles all)', ms: median(Array.from({ length: ROUNDS }, firstCheck())) },
  { command: 'hookd check (first, no compile snapshot: worker thread)', ms: median(Array.from({ length: ROUNDS }, firstCheck(join(withoutSnapshot.dir, 'dist/lib/cli.js')))) },
  { command: 'hookd check (example hooks, unchanged: compile cache)', ms: median(Array.from({ length: ROUNDS }, () => timeCommand([CLI, 'check'], { HOOKD_DATA_DIR: checkData.dir }))) },
];
checkData.remove();
withoutSnapshot.remove();
printTable('CLI start (median wall time to exit)', cli.map((c) => ({ command: c.command, ms: c.ms.toFixed(0), 'vs node -e 0': ratio(c.ms, cli[0]!.ms) })));
