// Progress updates and SSE streams, read at scrape time from the counters GET /stats shows
// (the progress coalescer and the stream hub keep them): nothing is counted twice.
import { Gauge, type Registry } from 'prom-client';
import type { ProgressStats } from '../progress/index.ts';
import { counterReadAtScrape } from './read-at-scrape.ts';

export interface LiveMetricsDeps {
  progressStats: () => Pick<ProgressStats, 'received' | 'coalesced' | 'rejected'>;
  streamStats: () => { clients: number; dropped: number };
}

export function defineLiveMetrics(registry: Registry, deps: LiveMetricsDeps): void {
  counterReadAtScrape(registry, 'hookd_progress_received_total', 'Progress updates received (posted or from hooks\' ctx.progress) and taken for delivery.', () => deps.progressStats().received);
  counterReadAtScrape(registry, 'hookd_progress_coalesced_total', 'Progress updates replaced by a later one for the same type and key before they went out.', () => deps.progressStats().coalesced);
  counterReadAtScrape(registry, 'hookd_progress_dropped_total', 'Progress updates refused: over progress.maxEntrySize, nested too deep, or not JSON data.', () => deps.progressStats().rejected);
  new Gauge({
    name: 'hookd_sse_clients',
    help: 'Open GET /stream connections.',
    registers: [registry],
    collect() {
      this.set(deps.streamStats().clients);
    },
  });
  counterReadAtScrape(registry, 'hookd_sse_clients_dropped_total', 'GET /stream clients dropped because they did not keep up (SLOW_CLIENT).', () => deps.streamStats().dropped);
}
