// The progress subsystem: every progress update (POST /events, and running hooks later) enters
// through publish(), is coalesced per (type, key), remembered for GET /progress, and goes out
// on the bus as { channel: 'progress' }. Side effect: a window timer while updates are held.
import type { Bus } from '../bus.ts';
import type { Config } from '../config/index.ts';
import { createCoalescer, progressKeyOf, type CoalescerStats } from './coalescer.ts';
import { createLatestStore, type LatestEntry } from './latest.ts';

export { progressKeyOf, type ProgressUpdate } from './coalescer.ts';
export type { LatestEntry } from './latest.ts';

export interface ProgressInput {
  /** A progress-kind catalog type; the caller has checked it (ingest does for POST /events). */
  type: string;
  payload: unknown;
  /** The coalescing key; derived from the payload when absent (see progressKeyOf). */
  key?: string;
  /** ISO time; now when absent. */
  at?: string;
}

export interface ProgressStats extends CoalescerStats {
  latestEntries: number;
  /** Keys GET /progress forgot early because maxLatestEntries was reached. */
  latestEvicted: number;
}

export interface ProgressDeps {
  bus: Bus;
  config: Config['progress'];
  now?: () => number;
}

export function createProgress(deps: ProgressDeps) {
  const now = deps.now ?? Date.now;
  const { coalesceWindowMs: windowMs } = deps.config;
  const latest = createLatestStore({ ttlMs: deps.config.latestTtlMs, maxEntries: deps.config.maxLatestEntries });
  const coalescer = createCoalescer({
    windowMs,
    maxKeys: deps.config.maxKeys,
    deliver: (u) => {
      latest.set(u, now());
      deps.bus.emit('message', { channel: 'progress', type: u.type, key: u.key, data: u.data, at: u.at });
    },
  });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  // The timer runs only while keys are tracked, so an idle daemon has no ticking timer.
  function onTick(): void {
    coalescer.tick();
    latest.sweep(now());
    if (coalescer.size() === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  /** The one entry point for progress: the hook side calls this with each batch item. */
  function publish(input: ProgressInput): void {
    if (stopped) return;
    coalescer.offer({
      type: input.type,
      key: input.key ?? progressKeyOf(input.payload),
      data: input.payload,
      at: input.at ?? new Date(now()).toISOString(),
    });
    if (timer === undefined && windowMs > 0 && coalescer.size() > 0) {
      timer = setInterval(onTick, windowMs);
      timer.unref();
    }
  }

  function stats(): ProgressStats {
    return { ...coalescer.stats(), latestEntries: latest.size(), latestEvicted: latest.evicted() };
  }

  /** Current values for GET /progress, optionally only the types `matches` accepts. */
  function current(matches?: (type: string) => boolean): LatestEntry[] {
    return latest.list(now(), matches);
  }

  /** Sends what is held, stops the timer and ignores later updates. */
  function stop(): void {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    timer = undefined;
    coalescer.flush();
  }

  return { publish, stats, latest: current, stop, ttlMs: deps.config.latestTtlMs };
}

export type Progress = ReturnType<typeof createProgress>;
