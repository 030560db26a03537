// Latest-wins coalescing of progress updates per (type, key), and its counters. Pure: the
// caller passes the time and calls tick() once per window (index.ts owns the timer). What it
// holds is bounded in keys and in bytes: past either bound an update goes out at once.

export interface ProgressUpdate {
  type: string;
  key: string;
  data: unknown;
  /** ISO time the update happened. */
  at: string;
  /** The size of `data` as JSON (checked against progress.maxEntrySize before it gets here). */
  bytes: number;
}

export interface CoalescerStats {
  received: number;
  delivered: number;
  /** Updates replaced by a later one for the same (type, key) before they went out. */
  coalesced: number;
  /** Updates delivered uncoalesced because maxKeys keys were tracked or maxPendingBytes were held. */
  passedThrough: number;
  /** (type, key) pairs tracked now; never more than maxKeys. */
  trackedKeys: number;
  /** Of those, how many hold an update waiting for the next tick. */
  pending: number;
  /** Bytes of the updates held; never more than maxPendingBytes. */
  pendingBytes: number;
}

export interface CoalescerDeps {
  /** 0 turns coalescing off. */
  windowMs: number;
  maxKeys: number;
  /** Bytes of held updates at once; an update that would pass it goes out at once instead. */
  maxPendingBytes: number;
  deliver: (update: ProgressUpdate) => void;
}

/**
 * The key an update is coalesced under: payload.key, else payload.downloadId, else payload.id
 * (strings, or numbers as text), else '' (one value per type). Updates with different keys
 * never replace each other, so two downloads in flight both stay visible.
 */
export function progressKeyOf(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null) return '';
  const p = payload as Record<string, unknown>;
  for (const field of ['key', 'downloadId', 'id']) {
    const v = p[field];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return '';
}

// Leading edge at once, trailing edge on the tick: an idle key's first update costs no
// latency, and a busy key sends one update per window, always its latest.
export function createCoalescer(deps: CoalescerDeps) {
  // An entry exists while its key has sent something since the previous tick; `pending` is the
  // latest update held back since. Insertion order is irrelevant: ticks visit every entry.
  const entries = new Map<string, { pending: ProgressUpdate | undefined }>();
  let received = 0;
  let delivered = 0;
  let coalesced = 0;
  let passedThrough = 0;
  let pending = 0;
  let pendingBytes = 0;

  function send(update: ProgressUpdate): void {
    delivered++;
    deps.deliver(update);
  }

  function offer(update: ProgressUpdate): void {
    received++;
    if (deps.windowMs === 0) return send(update);
    const id = `${update.type}\u0000${update.key}`;
    const entry = entries.get(id);
    if (entry === undefined) {
      // Past the bound the key is not tracked: memory stays bounded, the update still goes out,
      // and each SSE client's own bounded queue protects it from the excess.
      if (entries.size >= deps.maxKeys) {
        passedThrough++;
        return send(update);
      }
      entries.set(id, { pending: undefined });
      return send(update);
    }
    const replaced = entry.pending;
    if (replaced !== undefined) {
      coalesced++;
      pendingBytes -= replaced.bytes;
    } else pending++;
    if (pendingBytes + update.bytes > deps.maxPendingBytes) {
      // Holding it would pass the byte bound: the replaced update is dropped (this one is newer)
      // and this one goes out now, so the latest value still wins.
      entry.pending = undefined;
      pending--;
      passedThrough++;
      return send(update);
    }
    entry.pending = update;
    pendingBytes += update.bytes;
  }

  /** Sends every held update; forgets keys that sent nothing since the previous tick. */
  function tick(): void {
    for (const [id, entry] of entries) {
      if (entry.pending === undefined) {
        entries.delete(id);
        continue;
      }
      const update = entry.pending;
      entry.pending = undefined;
      pending--;
      pendingBytes -= update.bytes;
      send(update);
    }
  }

  /** Sends what is held and forgets every key (shutdown). */
  function flush(): void {
    tick();
    entries.clear();
  }

  function stats(): CoalescerStats {
    return { received, delivered, coalesced, passedThrough, trackedKeys: entries.size, pending, pendingBytes };
  }

  return { offer, tick, flush, stats, size: () => entries.size };
}

export type Coalescer = ReturnType<typeof createCoalescer>;
