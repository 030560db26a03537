// The latest progress value per (type, key), so a page that connects late sees the current
// state (GET /progress). Entries expire after a TTL; their count and their bytes together are
// bounded (the least recently updated go first), so GET /progress's answer is bounded too. Pure.
import type { ProgressUpdate } from './coalescer.ts';

export interface LatestEntry extends ProgressUpdate {
  /** ms since epoch when the entry was last updated. */
  updatedAt: number;
}

export interface LatestDeps {
  ttlMs: number;
  maxEntries: number;
  /** The entries' `bytes` together. */
  maxBytes: number;
}

export function createLatestStore(deps: LatestDeps) {
  // Map order is update order (an update re-inserts its key), so with one TTL for all the
  // oldest entries are at the front: expiry and eviction only ever look at the front.
  const entries = new Map<string, LatestEntry>();
  let evicted = 0;
  let bytes = 0;

  function remove(id: string, entry: LatestEntry): void {
    entries.delete(id);
    bytes -= entry.bytes;
  }

  function set(update: ProgressUpdate, now: number): void {
    const id = `${update.type}\u0000${update.key}`;
    const previous = entries.get(id);
    if (previous) remove(id, previous);
    entries.set(id, { ...update, updatedAt: now });
    bytes += update.bytes;
    while (entries.size > deps.maxEntries || (bytes > deps.maxBytes && entries.size > 0)) {
      const [oldest, entry] = entries.entries().next().value!;
      remove(oldest, entry);
      evicted++;
    }
  }

  /** Drops expired entries; cost is the number dropped plus one. */
  function sweep(now: number): void {
    for (const [id, entry] of entries) {
      if (now - entry.updatedAt < deps.ttlMs) return;
      remove(id, entry);
    }
  }

  /** Live entries, most recently updated last. */
  function list(now: number, matches: (type: string) => boolean = () => true): LatestEntry[] {
    sweep(now);
    const out: LatestEntry[] = [];
    for (const entry of entries.values()) if (matches(entry.type)) out.push(entry);
    return out;
  }

  return { set, sweep, list, size: () => entries.size, bytes: () => bytes, evicted: () => evicted };
}

export type LatestStore = ReturnType<typeof createLatestStore>;
