// Starts the real daemon for a test: in-process on a random loopback port with a temp data
// dir and hooks dir, or as a child process (`hookd serve`) for signals and kill -9 tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadConfig } from '../../lib/config/index.ts';
import { startDaemon, type Daemon } from '../../lib/daemon.ts';
import { request, type Reply, type RequestOptions } from './http.ts';
import { createLogSink, type LogSink } from './log-sink.ts';
import { makeTempDir } from './temp-dir.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const EVENTS_TOKEN = 'test-events-token-0123456789';
/** The built CLI, run with plain node as users run it (npm test builds dist/ first when stale). */
export const CLI = fileURLToPath(new URL('../../dist/lib/cli.js', import.meta.url));
export const TSX = createRequire(import.meta.url).resolve('tsx');
/**
 * Node's flags for `hookd serve`, as `npm start` and the README's systemd unit give them (a
 * test holds package.json's start script to this list): a larger young generation, see the README.
 */
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=32'];

export interface TestDaemonOptions {
  /** Config keys merged over the test defaults (YAML shapes). */
  config?: Record<string, unknown>;
  /** Reuse a data dir (restart tests); a fresh temp dir otherwise. */
  dir?: string;
}

export interface TestDaemon {
  url: string;
  dir: string;
  dataDir: string;
  hooksDir: string;
  configFile: string;
  daemon: Daemon;
  logs: LogSink;
  /** A request as admin unless options.token says otherwise (null: no token). */
  call<T = any>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<Reply<T>>;
  /** Stops the daemon; keeps the directory. */
  stop(): Promise<void>;
  /** Stops the daemon and removes the directory. */
  close(): Promise<void>;
}

export function writeTestConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const dataDir = join(dir, 'data');
  const hooksDir = join(dir, 'hooks');
  mkdirSync(hooksDir, { recursive: true });
  const base = {
    server: { host: '127.0.0.1', port: 0, shutdownTimeout: '2s' },
    dataDir,
    log: { level: 'debug', pretty: false },
    hooks: { dir: hooksDir },
    auth: {
      tokens: [
        { name: 'test-admin', token: ADMIN_TOKEN, scopes: ['admin'] },
        { name: 'test-producer', token: EVENTS_TOKEN, scopes: ['events'] },
      ],
    },
  };
  const file = join(dir, 'hookd.yaml');
  writeFileSync(file, stringify(mergeDeep(base, extra)));
  return file;
}

export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const temp = options.dir ? { dir: options.dir, remove: () => {} } : makeTempDir();
  const configFile = writeTestConfig(temp.dir, options.config);
  const config = loadConfig({ file: configFile, env: {} });
  const logs = createLogSink();
  const daemon = await startDaemon(config, { logDestination: logs.stream });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await daemon.stop();
  };
  return {
    url: daemon.url,
    dir: temp.dir,
    dataDir: config.dataDir,
    hooksDir: config.hooks.dir,
    configFile,
    daemon,
    logs,
    call: (method, path, body, opts = {}) =>
      request(daemon.url, method, path, body, { ...opts, token: opts.token === undefined ? ADMIN_TOKEN : opts.token }),
    stop,
    close: async () => {
      await stop();
      temp.remove();
    },
  };
}

export interface ChildDaemon {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `hookd serve --config <file>` as a child process, as `npm start` does, and waits until it listens. */
export function spawnDaemon(configFile: string, env: Record<string, string> = {}): Promise<ChildDaemon> {
  return spawnListening([process.execPath, ...SERVE_NODE_FLAGS, CLI, 'serve', '--config', configFile], { env });
}

/** Runs a command that starts hookd (`npm start`, the bin, the CLI) and waits until it listens. */
export async function spawnListening(
  command: string[],
  options: { env?: Record<string, string>; cwd?: string; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<ChildDaemon> {
  const [program, ...args] = command;
  const child = spawn(program!, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let giveUp: NodeJS.Timeout | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /"url":"(http:[^"]+)".*"msg":"hookd listening"/.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code }) => reject(new Error(`hookd exited (${code}) before listening:\n${out}`)));
    // The "hookd listening" line is logged at info: a config that logs less never shows it.
    giveUp = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookd did not log "hookd listening" within 30 s (is log.level above info?):\n${out}`));
    }, 30_000);
  }).finally(() => clearTimeout(giveUp));
  return { child, url, output: () => out, exited };
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      b && v && typeof b === 'object' && typeof v === 'object' && !Array.isArray(b) && !Array.isArray(v)
        ? mergeDeep(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
