// Background writers (dispatch done-marks, the invocation log, webhook attempts, events raised
// by hooks) owe their write: on a storage failure they log it and try again later, with
// backoff, until it succeeds or the daemon stops (what is owed then stays owed in the
// database and is picked up at the next start). Any other error is thrown at once.
import { toStorageError } from './storage-errors.ts';

export interface StorageRetryOptions {
  /** Logs each failure once per attempt; the error is the typed storage error. */
  onFailure: (error: Error, attempt: number, retryInMs: number) => void;
  /** Aborted when the daemon stops: the last error is thrown instead of waiting. */
  signal?: AbortSignal;
  delaysMs?: readonly number[];
}

export const STORAGE_RETRY_DELAYS_MS: readonly number[] = [250, 1_000, 5_000, 15_000, 30_000];

export async function retryOnStorageFailure<T>(write: () => Promise<T>, options: StorageRetryOptions): Promise<T> {
  const delays = options.delaysMs ?? STORAGE_RETRY_DELAYS_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      const storage = toStorageError(err);
      if (!storage || options.signal?.aborted) throw storage ?? err;
      const delay = delays[Math.min(attempt - 1, delays.length - 1)]!;
      options.onFailure(storage, attempt, delay);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw storage;
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
