// Hook files compiled by earlier processes (`hookd check`, the daemon, `hookd run-hook`), kept in
// a directory so an unchanged hook is never parsed twice: one JSON file per (compiler build,
// file name, source hash). Only hooks that read and compile are kept: every error is reported by
// a fresh compile. A file that is unreadable, corrupt or of another build is a miss; writes are
// atomic (a temp file renamed); the directory is pruned to the newest entries. Side effects:
// files under `dir` (created on first write, private like the data directory they live in).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a hook file's analysis leaves: its config literal and its ModuleSource record. */
export interface CachedHook {
  config: Record<string, unknown> | undefined;
  record: Record<string, unknown>;
}

export interface CompileCache {
  get(hash: string, filename: string): Promise<CachedHook | undefined>;
  set(hash: string, filename: string, hook: CachedHook): Promise<void>;
}

// Bounds: a hook's record is a few times its source (at most runtime.maxSourceSize).
export const MAX_CACHE_ENTRIES = 1000;
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
// Writes between two prunes (and the first write of a process prunes).
const PRUNE_EVERY = 100;
// The entry layout; a change makes older files misses.
const FORMAT = 1;

interface Entry extends CachedHook {
  format: number;
  build: string;
  hash: string;
  filename: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entry's own fields must name what was asked for: a renamed, truncated or foreign file is a miss. */
function readEntry(text: string, build: string, hash: string, filename: string): CachedHook | undefined {
  let entry: Partial<Entry>;
  try {
    entry = JSON.parse(text) as Partial<Entry>;
  } catch {
    return undefined;
  }
  if (!isRecord(entry) || entry.format !== FORMAT || entry.build !== build || entry.hash !== hash || entry.filename !== filename) return undefined;
  const { config, record } = entry;
  if (config !== null && !isRecord(config)) return undefined;
  if (!isRecord(record) || typeof record.__syncModuleProgram__ !== 'string' || !Array.isArray(record.imports) || !Array.isArray(record.exports)) return undefined;
  return { config: config ?? undefined, record };
}

/**
 * The cache in `dir` for the compiler identified by `build` (a digest of the compile worker's
 * code: another build never reads these entries). Every failure is a miss or a skipped write.
 */
export function createCompileCache(opts: { dir: string; build: string; maxEntries?: number; maxBytes?: number }): CompileCache {
  const maxEntries = opts.maxEntries ?? MAX_CACHE_ENTRIES;
  const maxBytes = opts.maxBytes ?? MAX_CACHE_BYTES;
  let writes = 0;

  const fileOf = (hash: string, filename: string) =>
    join(opts.dir, `${createHash('sha256').update(`${opts.build}\0${filename}\0${hash}`).digest('hex')}.json`);

  /** Removes the least recently used entries past the bounds (and temp files a crash left). */
  async function prune(): Promise<void> {
    const names = await readdir(opts.dir).catch(() => [] as string[]);
    const entries = (await Promise.all(names.map(async (name) => {
      const path = join(opts.dir, name);
      const st = await stat(path).catch(() => undefined);
      return st?.isFile() ? { path, name, size: st.size, mtimeMs: st.mtimeMs } : undefined;
    }))).filter((e) => e !== undefined);
    entries.sort((a, b) => b.mtimeMs - a.mtimeMs);
    let count = 0;
    let bytes = 0;
    const stale = Date.now() - 60_000;
    for (const e of entries) {
      const tmp = e.name.endsWith('.tmp');
      count += tmp ? 0 : 1;
      bytes += e.size;
      if ((tmp && e.mtimeMs < stale) || (!tmp && (count > maxEntries || bytes > maxBytes))) await rm(e.path, { force: true }).catch(() => {});
    }
  }

  return {
    async get(hash, filename) {
      const file = fileOf(hash, filename);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      const hook = text === undefined ? undefined : readEntry(text, opts.build, hash, filename);
      if (hook) {
        // Recently used: pruning goes by modification time.
        const now = new Date();
        await utimes(file, now, now).catch(() => {});
      }
      return hook;
    },
    async set(hash, filename, hook) {
      const entry: Entry = { format: FORMAT, build: opts.build, hash, filename, config: hook.config, record: hook.record };
      const text = JSON.stringify({ ...entry, config: hook.config ?? null });
      const file = fileOf(hash, filename);
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(opts.dir, { recursive: true, mode: 0o700 });
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, file);
      } catch {
        await rm(tmp, { force: true }).catch(() => {});
        return;
      }
      if (writes++ % PRUNE_EVERY === 0) await prune();
    },
  };
}
