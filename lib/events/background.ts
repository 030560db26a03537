// Tracks writes that run after their caller has moved on (what a hook run raised): idle() is
// true only when none is in flight, and the stop drains them before the database closes.
// A `void (async () => ...)()` nobody awaits made the daemon's idle signal lie.

export interface TaskTracker {
  /**
   * Runs `task` in the background; a rejection is handed to `onError`, never left unhandled.
   * Answers when it settled (never rejects), for a caller that must not go on before it.
   */
  track(task: () => Promise<void>, onError: (err: unknown) => void): Promise<void>;
  /** How many tasks are in flight now. */
  size(): number;
  /** Resolves once nothing is in flight, including tasks started while it waited. */
  drain(): Promise<void>;
}

export function createTaskTracker(): TaskTracker {
  const inFlight = new Set<Promise<void>>();
  return {
    track(task, onError) {
      const run: Promise<void> = Promise.resolve()
        .then(task)
        .catch(onError)
        .finally(() => inFlight.delete(run));
      inFlight.add(run);
      return run;
    },
    size: () => inFlight.size,
    async drain() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
