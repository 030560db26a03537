// Hook source -> ModuleSource record, at registration. Babel runs in a worker thread under a
// deadline so a large or hostile source never blocks the daemon's event loop; results are
// cached by content hash (plus filename, which names the hook's stack frames and says whether
// the source is TypeScript: `.ts`/`.mts` lose their types in place, see strip-types.mjs).
import { createHash } from 'node:crypto';
import { Piscina } from 'piscina';
import type { CompileResult } from './protocol.ts';

export interface CompilerOptions {
  maxSourceBytes: number;
  compileTimeoutMs: number;
}

export interface Compiler {
  compile(source: string, filename: string): Promise<CompileResult>;
  close(): Promise<void>;
}

interface CompileRequest {
  source: string;
  filename: string;
}

// What compile-worker.mjs answers.
type CompileReply =
  | { ok: true; record: Record<string, unknown> }
  | { ok: false; error: { message: string; line?: number; column?: number } };

const CACHE_ENTRIES = 256;
// Babel's heap for a 256 KiB source stays far below this; a pathological one dies alone.
const COMPILE_HEAP_MB = 256;

/** A compiler with its own single-thread pool, started lazily, idle after a minute. */
export function createCompiler(opts: CompilerOptions): Compiler {
  const cache = new Map<string, Promise<CompileResult>>();
  let pool: Piscina<CompileRequest, CompileReply> | undefined;

  function getPool(): Piscina<CompileRequest, CompileReply> {
    pool ??= new Piscina({
      filename: new URL('./compile-worker.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: 60_000,
      // No tsx here: its CommonJS hooks break Babel's interop inside a worker.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: COMPILE_HEAP_MB },
    });
    return pool;
  }

  // A timeout or a dead worker says nothing about the source: such answers leave the cache.
  async function runCompile(source: string, filename: string, hash: string, key: string): Promise<CompileResult> {
    let reply: CompileReply;
    try {
      reply = await getPool().run({ source, filename }, { signal: AbortSignal.timeout(opts.compileTimeoutMs) });
    } catch (err) {
      const name = (err as { name?: string }).name;
      const message = name === 'AbortError'
        ? `${filename}: compilation took longer than ${opts.compileTimeoutMs} ms; make the hook smaller`
        : `${filename}: compilation failed: ${(err as Error).message}`;
      cache.delete(key);
      return { ok: false, error: { message } };
    }
    if (!reply.ok) return { ok: false, error: reply.error };
    return { ok: true, hook: { hash, record: reply.record, filename } };
  }

  return {
    compile(source, filename) {
      const bytes = Buffer.byteLength(source, 'utf8');
      if (bytes > opts.maxSourceBytes) {
        return Promise.resolve({
          ok: false,
          error: { message: `${filename}: hook source is ${bytes} bytes, over the ${opts.maxSourceBytes}-byte limit` },
        });
      }
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
    async close() {
      cache.clear();
      const p = pool;
      pool = undefined;
      await p?.destroy();
    },
  };
}
