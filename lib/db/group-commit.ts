// Group commit: callers queue items and one flush (one transaction, one fsync) serves
// everything queued meanwhile. The first flush of a quiet period waits only for the end of the
// event loop's current turn (setImmediate, no timer): items added by the other requests read in
// the same poll join it. Batching so adds no latency when idle and amortizes the commit under
// load. (Flushing the first item alone made most batches small where commits are quick: three
// daemons on one PostgreSQL averaged 4.5 events a commit.) One item's failure
// never fails the others: a failed batch is split until the culprits stand alone, except for a
// storage failure (a full disk), which no item can pass and which every item gets, typed.
import { toStorageError } from './storage-errors.ts';

export interface GroupCommit<T, R> {
  /** Resolves with this item's result once its batch is committed. */
  add(item: T): Promise<R>;
  /** Queues several items at once (they share a flush when the weight allows); one promise each. */
  addAll(items: readonly T[]): Array<Promise<R>>;
  /** Waits until everything queued so far is committed. */
  drain(): Promise<void>;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<T, R>(deps: {
  /** Commits a batch, all or nothing; returns one result per item, in order. */
  flush: (items: T[]) => Promise<R[]>;
  /** The weight of an item toward maxBatchWeight (a batch POST counts its events). */
  weigh?: (item: T) => number;
  maxBatchWeight: number;
}): GroupCommit<T, R> {
  const queue: Array<Pending<T, R>> = [];
  const weigh = deps.weigh ?? (() => 1);
  let flushing: Promise<void> | undefined;

  // Halving finds k culprits among n items in about 2k·log2(n) flushes instead of n.
  async function commit(batch: Array<Pending<T, R>>): Promise<void> {
    let results: R[];
    try {
      results = await deps.flush(batch.map((p) => p.item));
    } catch (error) {
      const storage = toStorageError(error);
      if (storage || batch.length === 1) {
        for (const p of batch) p.reject(storage ?? error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await commit(batch.slice(0, half));
      await commit(batch.slice(half));
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  async function flushLoop(): Promise<void> {
    try {
      await new Promise<void>((resolve) => setImmediate(resolve)); // the rest of this turn's adds join
      while (queue.length > 0) {
        const batch: Array<Pending<T, R>> = [];
        let weight = 0;
        while (queue.length > 0 && (batch.length === 0 || weight + weigh(queue[0]!.item) <= deps.maxBatchWeight)) {
          const next = queue.shift()!;
          batch.push(next);
          weight += weigh(next.item);
        }
        await commit(batch);
      }
    } finally {
      // Cleared in the same turn as the last resolve, before any caller resumes, so a caller
      // that adds again at once starts a new loop. (A `.finally()` on this promise ran a
      // microtask later: such an add joined a loop that had already ended and never settled.)
      flushing = undefined;
    }
  }

  function addAll(items: readonly T[]): Array<Promise<R>> {
    const promises = items.map((item) => new Promise<R>((resolve, reject) => queue.push({ item, resolve, reject })));
    if (items.length > 0) flushing ??= flushLoop();
    return promises;
  }

  return {
    add: (item) => addAll([item])[0]!,
    addAll,
    async drain() {
      while (flushing) await flushing;
    },
  };
}
