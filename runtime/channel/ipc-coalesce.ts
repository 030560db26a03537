// Coalesces IPC messages written close together into one `many` message: under load one write
// and one wakeup carry many calls. Used on both sides of the daemon <-> sandbox-host channel:
// the daemon flushes on nextTick (its calls are issued from one burst of microtasks), the host
// on setImmediate (outcomes arrive as separate worker messages within one poll phase).

export interface CoalescingSender<T> {
  send(message: T): void;
  /** Writes what is queued now (before close or exit). */
  flush(): void;
}

export function createCoalescingSender<T>(deps: {
  write(message: T): void;
  wrap(messages: T[]): T;
  /** Called with the messages a failed write carried (a closed channel). */
  onError(messages: T[], err: unknown): void;
  schedule: (flush: () => void) => void;
}): CoalescingSender<T> {
  let queue: T[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (queue.length === 0) return;
    const messages = queue;
    queue = [];
    try {
      deps.write(messages.length === 1 ? (messages[0] as T) : deps.wrap(messages));
    } catch (err) {
      deps.onError(messages, err);
    }
  }

  return {
    send(message) {
      queue.push(message);
      if (!scheduled) {
        scheduled = true;
        deps.schedule(flush);
      }
    },
    flush,
  };
}
