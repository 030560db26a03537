// Hook source -> ModuleSource record, at registration, and a hook file's literal config at
// discovery. Babel runs in a worker thread under a deadline so a large or hostile source never
// blocks the daemon's event loop; compile results are
// cached by content hash (plus filename, which names the hook's stack frames and says whether
// the source is TypeScript: `.ts`/`.mts` lose their types in place, see compile/strip-types.mjs).
import { createHash } from 'node:crypto';
import { Piscina } from 'piscina';
import type { CompileResult, HookConfigResult } from '../protocol.ts';
import { COMPILE_WORKER_ENTRY } from './entry-points.ts';

export interface CompilerOptions {
  maxSourceBytes: number;
  compileTimeoutMs: number;
}

export interface Compiler {
  compile(source: string, filename: string): Promise<CompileResult>;
  /** Reads `export const config = {...}` (literals only) without running the source. */
  readConfig(source: string, filename: string): Promise<HookConfigResult>;
  close(): Promise<void>;
}

interface CompileRequest {
  source: string;
  filename: string;
}

// What compile/compile-worker.mjs answers.
type CompileReply =
  | { ok: true; record: Record<string, unknown> }
  | { ok: false; error: { message: string; line?: number; column?: number } };

const CACHE_ENTRIES = 256;
// Babel's heap for a 256 KiB source stays far below this; a pathological one dies alone.
const COMPILE_HEAP_MB = 256;

type CompilePool = Piscina<CompileRequest, CompileReply | HookConfigResult>;

function startCompilePool(): CompilePool {
  return new Piscina({
    filename: COMPILE_WORKER_ENTRY,
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 60_000,
    // No tsx here: its CommonJS hooks break Babel's interop inside a worker.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: COMPILE_HEAP_MB },
  });
}

function warmUp(pool: CompilePool): Promise<unknown> {
  return pool.run(null as never, { name: 'warmUp' }).catch(() => {});
}

// A thread started ahead of any compiler, adopted by the next one created in this process.
let spare: { pool: CompilePool; warm: Promise<unknown> } | undefined;

/**
 * Starts a compile thread now, for the next compiler to adopt: the CLI calls it before it reads
 * the configuration, so Babel loads (a third of a second) while the main thread works.
 */
export function prestartCompileThread(): void {
  if (spare) return;
  const pool = startCompilePool();
  spare = { pool, warm: warmUp(pool) };
}

/** A compiler with its own single-thread pool, started lazily, idle after a minute. */
export function createCompiler(opts: CompilerOptions): Compiler {
  const cache = new Map<string, Promise<CompileResult>>();
  let pool: CompilePool | undefined;
  // Settles once the thread has loaded Babel: the deadline is the source's, not the thread's
  // start (seconds on a loaded machine). Reset when the thread ends (idle, or a deadline).
  let warm: Promise<unknown> | undefined;

  function getPool(): CompilePool {
    if (!pool) {
      if (spare) ({ pool, warm } = spare);
      spare = undefined;
      pool ??= startCompilePool();
      pool.on('workerDestroy', () => {
        warm = undefined;
      });
    }
    return pool;
  }

  /** Runs one task in the worker under the deadline; a timeout or a dead worker is an error message. */
  async function runTask<T>(task: CompileRequest, name: string, what: string): Promise<{ ok: true; reply: T } | { ok: false; message: string }> {
    try {
      const p = getPool();
      warm ??= warmUp(p);
      await warm;
      return { ok: true, reply: (await p.run(task, { name, signal: AbortSignal.timeout(opts.compileTimeoutMs) })) as T };
    } catch (err) {
      const message = (err as { name?: string }).name === 'AbortError'
        ? `${what} took longer than ${opts.compileTimeoutMs} ms (runtime.compileTimeout); make the hook smaller`
        : `${what} failed: ${(err as Error).message}`;
      return { ok: false, message };
    }
  }

  function tooLarge(source: string): string | undefined {
    const bytes = Buffer.byteLength(source, 'utf8');
    return bytes > opts.maxSourceBytes ? `hook source is ${bytes} bytes, over the ${opts.maxSourceBytes}-byte limit (runtime.maxSourceSize)` : undefined;
  }

  // A timeout or a dead worker says nothing about the source: such answers leave the cache.
  async function runCompile(source: string, filename: string, hash: string, key: string): Promise<CompileResult> {
    const ran = await runTask<CompileReply>({ source, filename }, 'default', 'compilation');
    if (!ran.ok) {
      cache.delete(key);
      return { ok: false, error: { message: `${filename}: ${ran.message}` } };
    }
    if (!ran.reply.ok) return { ok: false, error: ran.reply.error };
    return { ok: true, hook: { hash, record: ran.reply.record, filename } };
  }

  return {
    compile(source, filename) {
      const large = tooLarge(source);
      if (large) return Promise.resolve({ ok: false, error: { message: `${filename}: ${large}` } });
      const hash = createHash('sha256').update(source).digest('hex');
      const key = `${hash}\0${filename}`;
      let result = cache.get(key);
      if (result) {
        cache.delete(key); // re-insert: the Map's order is our LRU order
      } else {
        result = runCompile(source, filename, hash, key);
      }
      cache.set(key, result);
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      return result;
    },
    async readConfig(source, filename) {
      const large = tooLarge(source);
      if (large) return { ok: false, message: large };
      const ran = await runTask<HookConfigResult>({ source, filename }, 'readHookConfig', 'reading its config');
      return ran.ok ? ran.reply : { ok: false, message: ran.message };
    },
    async close() {
      cache.clear();
      const p = pool;
      pool = undefined;
      await p?.destroy();
    },
  };
}
