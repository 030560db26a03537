// POST /events through the real daemon (validated, durably stored, group-committed) against a
// bare Koa handler that answers 202 without storing: same machine, same run, same load.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig } from '../test/helpers/daemon.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { printTable, ratio, runLoad } from './load.ts';

const TSX = createRequire(import.meta.url).resolve('tsx');
const body = JSON.stringify({ type: 'media.added', payload: { title: 'Dune', year: 2021, genres: ['sci-fi'] } });
const request = {
  method: 'POST' as const,
  headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
  body,
};

async function startBare(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', TSX, fileURLToPath(new URL('./fixtures/bare-koa.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const url = /listening (\S+)/.exec(String(chunk))![1]!;
  return { url, stop: async () => void (child.kill('SIGTERM'), await once(child, 'exit')) };
}

const temp = makeTempDir('hookd-bench-');
try {
  const daemon = await spawnDaemon(writeTestConfig(temp.dir, { log: { level: 'info' } }));
  const bare = await startBare();
  // Warm both up so JIT and SQLite page cache do not count against either.
  await runLoad('warmup', { url: `${daemon.url}/events`, duration: 2, ...request });
  await runLoad('warmup', { url: `${bare.url}/`, duration: 2, ...request });
  const stored = await runLoad('hookd POST /events (stored)', { url: `${daemon.url}/events`, ...request });
  const baseline = await runLoad('bare Koa 202 (not stored)', { url: `${bare.url}/`, ...request });
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  await bare.stop();
  printTable('ingest: 32 connections, 8 s each', [stored, baseline].map((r) => ({ ...r })));
  console.log(`throughput hookd/bare: ${ratio(stored.rps, baseline.rps)}   p99 hookd/bare: ${ratio(stored.p99, baseline.p99)}`);
} finally {
  temp.remove();
}
