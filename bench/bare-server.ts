// The benches' baseline server: bench/fixtures/bare-koa.ts (a Koa handler that reads the body and
// answers 202 without storing anything) in a process of its own, so its CPU time is its own.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const TSX = createRequire(import.meta.url).resolve('tsx');

export interface BareServer {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Starts one bare Koa server on a loopback port; resolves once it listens. */
export async function startBare(): Promise<BareServer> {
  const child = spawn(process.execPath, ['--import', TSX, fileURLToPath(new URL('./fixtures/bare-koa.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const url = /listening (\S+)/.exec(String(chunk))![1]!;
  return { url, pid: child.pid!, stop: async () => void (child.kill('SIGTERM'), await once(child, 'exit')) };
}
