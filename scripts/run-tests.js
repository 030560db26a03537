#!/usr/bin/env node
// Runs every test/**/*.test.ts under node:test (TypeScript loaded by scripts/test-loader): Node 20's --test does not expand
// globs itself, so we find the files here. Extra arguments narrow the set by path substring.
// Tests that spawn hookd run the built CLI (dist/), as users do, and the daemons tests start in
// their own process run the sandbox from dist/: it is rebuilt first when any source file is
// newer than the last build.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { buildIsStale, listFiles } from './build-stamp.js';
import { orderLongestFirst, printTimes, readTimes, saveTimes } from './test-times.js';

if (buildIsStale(process.cwd())) {
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const filters = process.argv.slice(2);
const files = orderLongestFirst(
  listFiles('test').filter((f) => f.endsWith('.test.ts')).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))),
);
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The daemons the tests start in their own process spawn the sandbox host and its workers from
// dist/ too (runtime/client/entry-points.ts): fresh just above, and without tsx in every host.
// TypeScript is loaded by type stripping alone (scripts/test-loader/), not tsx: a third less CPU
// per test process. An absolute path: tests run with other working directories.
const LOADER = fileURLToPath(new URL('./test-loader/register.js', import.meta.url));
// Each test file runs as one bundle (scripts/test-loader/bundle.js): the missing ones are made
// here in one esbuild build, where each module is parsed once, not once per test process.
const { prepareTestFiles } = await import('./test-loader/hooks.js');
await prepareTestFiles(files.map((f) => resolve(f)));
// Test files at once: twice the cores (at most 8), or HOOKD_TEST_CONCURRENCY. A test file spends
// about half its time waiting (daemons, child processes, retries, leases), so two per core keep
// the cores busy: on 2 cores, 2 at once used them about half the time.
const concurrency = Number(process.env.HOOKD_TEST_CONCURRENCY) || Math.min(8, 2 * availableParallelism());
// Each test process records its wall and CPU time (scripts/test-loader/timing.js), kept for the
// next run's order (files longest first, scripts/test-times.js); HOOKD_TEST_TIMES=1 prints them as
// a table after the run (=all: every file).
const timesDir = mkdtempSync(join(tmpdir(), 'hookd-test-times-'));
// Node 20 reads and parses the whole NODE_EXTRA_CA_CERTS bundle when each process starts (with
// Debian's 220 kB bundle `node -e 0` takes about 0.12 s instead of 0.04): every test process, CLI
// call and daemon the tests spawn paid it. No test opens a TLS connection to a public server (the
// machines have no internet), so the test processes start without it.
const { NODE_EXTRA_CA_CERTS: _certs, ...testEnv } = process.env;
const started = performance.now();
const result = spawnSync(
  process.execPath,
  ['--import', LOADER, '--test', `--test-concurrency=${concurrency}`, ...files],
  { stdio: 'inherit', env: { ...testEnv, HOOKD_RUNTIME: 'dist', HOOKD_TEST_TIMES_DIR: timesDir } },
);
const times = readTimes(timesDir);
rmSync(timesDir, { recursive: true, force: true });
saveTimes(times);
if (process.env.HOOKD_TEST_TIMES) printTimes(times, { wallMs: performance.now() - started, concurrency });
process.exit(result.status ?? 1);
