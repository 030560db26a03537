// Group commit: callers queue items and one flush (one transaction, one fsync) serves
// everything queued meanwhile. The first item of a quiet period is flushed at once, so
// batching adds no latency when idle and amortizes the fsync under load.

export interface GroupCommit<T, R> {
  /** Resolves with this item's result once its batch is committed. */
  add(item: T): Promise<R>;
  /** Waits until everything queued so far is committed. */
  drain(): Promise<void>;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<T, R>(deps: {
  /** Commits a batch; returns one result per item, in order. */
  flush: (items: T[]) => Promise<R[]>;
  /** The weight of an item toward maxBatchWeight (a batch POST counts its events). */
  weigh?: (item: T) => number;
  maxBatchWeight: number;
}): GroupCommit<T, R> {
  const queue: Array<Pending<T, R>> = [];
  const weigh = deps.weigh ?? (() => 1);
  let flushing: Promise<void> | undefined;

  async function flushLoop(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch: Array<Pending<T, R>> = [];
        let weight = 0;
        while (queue.length > 0 && (batch.length === 0 || weight + weigh(queue[0]!.item) <= deps.maxBatchWeight)) {
          const next = queue.shift()!;
          batch.push(next);
          weight += weigh(next.item);
        }
        try {
          const results = await deps.flush(batch.map((p) => p.item));
          batch.forEach((p, i) => p.resolve(results[i]!));
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      // Cleared in the same turn as the last resolve, before any caller resumes, so a caller
      // that adds again at once starts a new loop. (A `.finally()` on this promise ran a
      // microtask later: such an add joined a loop that had already ended and never settled.)
      flushing = undefined;
    }
  }

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        flushing ??= flushLoop();
      });
    },
    async drain() {
      while (flushing) await flushing;
    },
  };
}
