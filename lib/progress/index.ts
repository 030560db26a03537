// The progress subsystem: every progress update (POST /events, and running hooks later) enters
// through publish(), is bounded (depth, bytes), coalesced per (type, key), remembered for
// GET /progress, and goes out on the bus as { channel: 'progress' }. Side effect: a window
// timer while updates are held.
import type { Bus } from '../bus.ts';
import type { Config } from '../config/index.ts';
import { toJsonData } from '../json-bounds.ts';
import { createCoalescer, progressKeyOf, type CoalescerStats, type ProgressUpdate } from './coalescer.ts';
import { createLatestStore, type LatestEntry } from './latest.ts';

export { progressKeyOf, type ProgressUpdate } from './coalescer.ts';
export type { LatestEntry } from './latest.ts';

export interface ProgressInput {
  /** A progress-kind catalog type; the caller has checked it (the event service does for POST /events). */
  type: string;
  payload: unknown;
  /** The coalescing key; derived from the payload when absent (see progressKeyOf). */
  key?: string;
  /** ISO time; now when absent. */
  at?: string;
  /**
   * The payload's size as JSON, when the caller measured a payload it parsed from JSON and
   * depth-checked (POST /events). Absent: publish() copies the payload as JSON data under the
   * depth and size bounds first (hooks' values).
   */
  bytes?: number;
}

export type PublishResult = { ok: true } | { ok: false; reason: string };

export interface ProgressStats extends CoalescerStats {
  latestEntries: number;
  latestBytes: number;
  /** Keys GET /progress forgot early because maxLatestEntries or maxLatestSize was reached. */
  latestEvicted: number;
  /** Updates refused by publish(): over progress.maxEntrySize, too deep, or not JSON data. */
  rejected: number;
}

export interface ProgressDeps {
  bus: Bus;
  config: Config['progress'];
  /** config events.maxDepth */
  maxDepth: number;
  now?: () => number;
}

export function createProgress(deps: ProgressDeps) {
  const now = deps.now ?? Date.now;
  const { coalesceWindowMs: windowMs } = deps.config;
  const { maxEntryBytes } = deps.config;
  const latest = createLatestStore({ ttlMs: deps.config.latestTtlMs, maxEntries: deps.config.maxLatestEntries, maxBytes: deps.config.maxLatestBytes });
  const coalescer = createCoalescer({
    windowMs,
    maxKeys: deps.config.maxKeys,
    maxPendingBytes: deps.config.maxLatestBytes,
    deliver: (u) => deps.bus.emit('message', { channel: 'progress', type: u.type, key: u.key, data: u.data, at: u.at }),
  });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let rejected = 0;

  // The timer runs only while keys are tracked, so an idle daemon has no ticking timer.
  function onTick(): void {
    coalescer.tick();
    latest.sweep(now());
    if (coalescer.size() === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  function refuse(reason: string): PublishResult {
    rejected++;
    return { ok: false, reason };
  }

  /** The one entry point for progress: POST /events and every hook's batch item. */
  function publish(input: ProgressInput): PublishResult {
    if (stopped) return { ok: true };
    let { payload, bytes } = input;
    if (bytes === undefined) {
      const copy = toJsonData(payload, { maxDepth: deps.maxDepth, maxBytes: maxEntryBytes });
      if (!copy.ok) {
        const where = copy.pointer ? ` at ${copy.pointer}` : '';
        return refuse(`${copy.message}${where} (progress.maxEntrySize is ${maxEntryBytes}, events.maxDepth ${deps.maxDepth})`);
      }
      payload = copy.value;
      bytes = Buffer.byteLength(JSON.stringify(payload) ?? '');
    }
    if (bytes > maxEntryBytes) return refuse(`the progress value is ${bytes} bytes as JSON, over progress.maxEntrySize (${maxEntryBytes})`);
    const update = { type: input.type, key: input.key ?? progressKeyOf(payload), data: payload, at: input.at ?? new Date(now()).toISOString(), bytes };
    // GET /progress's store takes every update as it comes, not as the coalescer lets it out: the
    // coalescer sends updates it held back after later ones it let through at once, and the store
    // (which lets the least recently updated go first) then dropped the newest values for older ones.
    latest.set(update, now());
    coalescer.offer(update);
    if (timer === undefined && windowMs > 0 && coalescer.size() > 0) {
      timer = setInterval(onTick, windowMs);
      timer.unref();
    }
    return { ok: true };
  }

  function stats(): ProgressStats {
    return { ...coalescer.stats(), latestEntries: latest.size(), latestBytes: latest.bytes(), latestEvicted: latest.evicted(), rejected };
  }

  /** Current values for GET /progress, optionally only the types `matches` accepts. */
  function current(matches?: (type: string) => boolean): LatestEntry[] {
    return latest.list(now(), matches);
  }

  /**
   * A value another daemon on the same database sent out (already coalesced there): GET
   * /progress shows it too. Not coalesced again and not put on the bus (the relay does that).
   */
  function remember(update: Omit<ProgressUpdate, 'bytes'>): void {
    if (stopped) return;
    latest.set({ ...update, bytes: Buffer.byteLength(JSON.stringify(update.data) ?? '') }, now());
  }

  /** Sends what is held, stops the timer and ignores later updates. */
  function stop(): void {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    timer = undefined;
    coalescer.flush();
  }

  return { publish, remember, stats, latest: current, stop, ttlMs: deps.config.latestTtlMs };
}

export type Progress = ReturnType<typeof createProgress>;
