// A task run again a fixed time after each run has ended (never two runs at once), until
// stopped: the periodic checks of a shared database (registry stamps, stream presence). A run
// that fails is reported and the next one still comes. The timer does not keep the process
// alive: the daemon's server does, and a stop clears it.

export interface Repeat {
  /** No run starts after this; one already running finishes (callers await their own). */
  stop(): void;
}

export function repeatAfter(intervalMs: number, run: () => Promise<void>, onError: (err: unknown) => void): Repeat {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  function schedule(): void {
    timer = setTimeout(() => {
      run()
        .catch(onError)
        .finally(() => stopped || schedule());
    }, intervalMs);
    timer.unref();
  }
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
