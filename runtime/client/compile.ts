// Hook source -> ModuleSource record, at registration, and a hook file's literal config at
// discovery. Babel runs in a worker thread under a deadline so a large or hostile source never
// blocks the daemon's event loop; the thread starts at the first source no cache answers. A hook
// file's config and compilation come from one task (one parse). Results are cached by content
// hash plus filename (it names the hook's stack frames and says whether the source is
// TypeScript: `.ts`/`.mts` lose their types in place, see compile/strip-types.mjs): in memory,
// and, with `cacheDir`, on disk for later processes (compile-cache.ts). With `snapshot`, tasks go
// to that process started from the build's snapshot of the worker (compile-process.ts).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { CompileResult, HookConfigResult } from '../protocol.ts';
import { createCompileCache, type CompileCache } from './compile-cache.ts';
import { COMPILE_HEAP_MB } from './compile-limits.ts';
import type { CompileProcess } from './compile-process.ts';
import { COMPILE_WORKER_BUNDLED, COMPILE_WORKER_ENTRY } from './entry-points.ts';

export interface CompilerOptions {
  maxSourceBytes: number;
  compileTimeoutMs: number;
  /** A directory for hook files compiled here, read by later processes; none: memory only. Used from the build only. */
  cacheDir?: string;
  /**
   * A process started from the build's V8 snapshot of the worker (Babel loaded and warm, see
   * openBuildCompileProcess), where tasks go while it runs, else to the worker thread: for
   * short-lived runs (`hookd check`), where starting Babel costs more than the compiles. The
   * daemon keeps the thread, whose code TurboFan optimizes. Closed with the compiler.
   */
  snapshot?: CompileProcess;
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

// What compile/compile-worker.mjs answers: its default task, and analyzeHook for a hook file.
type CompileReply =
  | { ok: true; record: Record<string, unknown> }
  | { ok: false; error: { message: string; line?: number; column?: number } };
type AnalyzeReply = { config: HookConfigResult; compiled?: CompileReply };

const CACHE_ENTRIES = 256;

type CompilePool = Piscina<CompileRequest, CompileReply | AnalyzeReply>;

// piscina is loaded with the first source no cache answers: a check of unchanged hooks never needs it.
async function startCompilePool(): Promise<CompilePool> {
  const { Piscina } = await import('piscina');
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

// The compiler's identity for the disk cache: a digest of the build's bundled worker, read once.
// The snapshot's process runs the same sources, bundled by the same build (scripts/build.js).
let build: Promise<string | undefined> | undefined;
function compilerBuild(): Promise<string | undefined> {
  build ??= COMPILE_WORKER_BUNDLED
    ? readFile(fileURLToPath(COMPILE_WORKER_ENTRY)).then((code) => createHash('sha256').update(code).digest('hex'), () => undefined)
    : Promise.resolve(undefined); // sources spread over files and packages: no cache
  return build;
}

function toResult(reply: CompileReply, hash: string, filename: string): CompileResult {
  return reply.ok ? { ok: true, hook: { hash, record: reply.record, filename } } : { ok: false, error: reply.error };
}

/** A compiler with its own single-thread pool, started lazily, idle after a minute. */
export function createCompiler(opts: CompilerOptions): Compiler {
  const cache = new Map<string, Promise<CompileResult>>();
  let pool: Promise<CompilePool> | undefined;
  // Settles once the thread has loaded Babel: the deadline is the source's, not the thread's
  // start (seconds on a loaded machine). Reset when the thread ends (idle, or a deadline).
  let warm: Promise<unknown> | undefined;

  let disk: Promise<CompileCache | undefined> | undefined;
  function diskCache(): Promise<CompileCache | undefined> {
    const dir = opts.cacheDir;
    disk ??= dir === undefined ? Promise.resolve(undefined) : compilerBuild().then((id) => (id ? createCompileCache({ dir, build: id }) : undefined));
    return disk;
  }

  function getPool(): Promise<CompilePool> {
    pool ??= startCompilePool().then((started) => started.on('workerDestroy', () => {
      warm = undefined;
    }));
    return pool;
  }

  // The disk cache is keyed by the compiler's build, a digest of its bundle (0.8 MB read and
  // hashed): begun now, while the caller scans and reads its hook files, not at the first source.
  if (opts.cacheDir !== undefined) void diskCache();

  // A short-lived run over an empty disk cache (a first `hookd check`) compiles every hook: its
  // process starts now (if its caller has not already), while the caller reads its files.
  let closed = false;
  if (opts.snapshot && opts.cacheDir !== undefined) {
    const proc = opts.snapshot;
    void readdir(opts.cacheDir).then((names) => names.length === 0, () => true).then((empty) => {
      if (empty && !closed) void proc.ready();
    });
  }

  /** The deadline starts once the process or thread that runs the task is up. */
  async function runUnderDeadline(task: CompileRequest, name: string): Promise<unknown> {
    const proc = opts.snapshot;
    if (await proc?.ready()) return proc!.run(task, name, AbortSignal.timeout(opts.compileTimeoutMs));
    const p = await getPool();
    warm ??= warmUp(p);
    await warm;
    return p.run(task, { name, signal: AbortSignal.timeout(opts.compileTimeoutMs) });
  }

  /** Runs one task under the deadline; a timeout or a dead worker is an error message. */
  async function runTask<T>(task: CompileRequest, name: string, what: string): Promise<{ ok: true; reply: T } | { ok: false; message: string }> {
    try {
      return { ok: true, reply: (await runUnderDeadline(task, name)) as T };
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

  function remember(key: string, result: Promise<CompileResult>): void {
    cache.delete(key); // re-insert: the Map's order is our LRU order
    cache.set(key, result);
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  }

  // A timeout or a dead worker says nothing about the source: such answers leave the cache.
  async function runCompile(source: string, filename: string, hash: string, key: string): Promise<CompileResult> {
    const kept = await (await diskCache())?.get(hash, filename);
    if (kept) return { ok: true, hook: { hash, record: kept.record, filename } };
    const ran = await runTask<CompileReply>({ source, filename }, 'default', 'compilation');
    if (!ran.ok) {
      cache.delete(key);
      return { ok: false, error: { message: `${filename}: ${ran.message}` } };
    }
    return toResult(ran.reply, hash, filename);
  }

  return {
    compile(source, filename) {
      const large = tooLarge(source);
      if (large) return Promise.resolve({ ok: false, error: { message: `${filename}: ${large}` } });
      const hash = createHash('sha256').update(source).digest('hex');
      const key = `${hash}\0${filename}`;
      const result = cache.get(key) ?? runCompile(source, filename, hash, key);
      remember(key, result);
      return result;
    },
    // A hook file's config is read right before it is compiled (hooks-dir sync, run-hook): the
    // compilation comes with it, from the disk cache or the same task, and waits in memory.
    async readConfig(source, filename) {
      const large = tooLarge(source);
      if (large) return { ok: false, message: large };
      const hash = createHash('sha256').update(source).digest('hex');
      const key = `${hash}\0${filename}`;
      const store = await diskCache();
      const kept = await store?.get(hash, filename);
      if (kept) {
        if (!cache.has(key)) remember(key, Promise.resolve({ ok: true, hook: { hash, record: kept.record, filename } }));
        return { ok: true, config: kept.config };
      }
      const ran = await runTask<AnalyzeReply>({ source, filename }, 'analyzeHook', 'reading its config');
      if (!ran.ok) return { ok: false, message: ran.message };
      const { config, compiled } = ran.reply;
      if (compiled) {
        const result = toResult(compiled, hash, filename);
        if (!cache.has(key)) remember(key, Promise.resolve(result));
        if (config.ok && compiled.ok) await store?.set(hash, filename, { config: config.config, record: compiled.record });
      }
      return config;
    },
    async close() {
      closed = true;
      cache.clear();
      const p = pool;
      pool = undefined;
      await Promise.all([p?.then((started) => started.destroy(), () => {}), opts.snapshot?.close()]);
    },
  };
}
