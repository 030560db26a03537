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
  counterReadAtScrape({ registry, name: 'hookd_progress_received_total', help: 'Progress updates received (posted or from hooks\' ctx.progress) and taken for delivery.', read: () => deps.progressStats().received });
  counterReadAtScrape({ registry, name: 'hookd_progress_coalesced_total', help: 'Progress updates replaced by a later one for the same type and key before they went out.', read: () => deps.progressStats().coalesced });
  counterReadAtScrape({ registry, name: 'hookd_progress_dropped_total', help: 'Progress updates refused: over progress.maxEntrySize, nested too deep, or not JSON data.', read: () => deps.progressStats().rejected });
  new Gauge({
    name: 'hookd_sse_clients',
    help: 'Open GET /stream connections.',
    registers: [registry],
    collect() {
      this.set(deps.streamStats().clients);
    },
  });
  counterReadAtScrape({ registry, name: 'hookd_sse_clients_dropped_total', help: 'GET /stream clients dropped because they did not keep up (SLOW_CLIENT).', read: () => deps.streamStats().dropped });
}
