// What the daemon has started, and the one order it is released in, whether the daemon stops or
// its start fails half-way (part of the composition root, lib/daemon.ts). Each part is added as
// soon as it exists, so a start that fails anywhere leaves no pool, process, timer, watcher,
// socket or lock behind to keep an in-process caller (a test, an embedder) alive.

/**
 * The order of release, as data: the live streams (they never end on their own), the HTTP
 * server, the other producers of writes (retention, registry follow, hooks dir, dispatch,
 * webhook sender), the event service (what they raised, then its writer), the peer link it may
 * still publish through, the processes that ran hooks, the database, the data-dir lock last.
 * Within a phase, the part added last is released first.
 */
export const SHUTDOWN_PHASES = ['streams', 'http', 'producers', 'events', 'peers', 'processes', 'storage', 'lock'] as const;

export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export interface Shutdown {
  /** Registers how to release a part just started (once it exists: never before). */
  add(phase: ShutdownPhase, release: () => unknown): void;
  /**
   * Releases everything added, phase by phase. A release that throws does not keep the later
   * ones from running (a lock left held blocks the next start); the first error is rethrown.
   * Runs once: a second call resolves when the first is done.
   */
  run(): Promise<void>;
}

export function createShutdown(): Shutdown {
  const releases = new Map<ShutdownPhase, Array<() => unknown>>(SHUTDOWN_PHASES.map((phase) => [phase, []]));
  let running: Promise<void> | undefined;

  async function releaseAll(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const phase of SHUTDOWN_PHASES) {
      for (const release of releases.get(phase)!.reverse()) {
        try {
          await release();
        } catch (error) {
          failure ??= { error };
        }
      }
    }
    if (failure) throw failure.error;
  }

  return {
    add(phase, release) {
      if (running) throw new Error(`a part was added to a shutdown already run (${phase})`);
      releases.get(phase)!.push(release);
    },
    run: () => (running ??= releaseAll()),
  };
}
