// Progress updates and SSE streams, read at scrape time from the counters GET /stats shows
// (the progress coalescer and the stream hub keep them): nothing is counted twice.
import { Gauge, type Registry } from 'prom-client';
import type { ProgressStats } from '../progress/index.ts';
import { counterReadAtScrape } from './read-at-scrape.ts';

export interface LiveMetricsDeps {
  progressStats: () => Pick<ProgressStats, 'received' | 'coalesced' | 'rejected'>;
  streamStats: () => { clients: number; dropped: number };
  /** Several daemons on one database: the stream fan-out's counters (absent on SQLite: no metrics). */
  fanoutStats?: () => { sent: number; sentByReference: number; received: number; dropped: number; missed: number };
  /** PostgreSQL: statements and transactions sent to the database so far (absent on SQLite, whose hot insert bypasses knex). */
  storageStatements?: () => { statements: number; transactions: number };
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
  const fanout = deps.fanoutStats;
  if (fanout) {
    counterReadAtScrape({ registry, name: 'hookd_stream_fanout_sent_total', help: 'Live stream messages sent to the other daemons on the database (NOTIFY).', read: () => fanout().sent });
    counterReadAtScrape({ registry, name: 'hookd_stream_fanout_large_total', help: 'Of those, sent through stream_frames because they were too large for a NOTIFY payload.', read: () => fanout().sentByReference });
    counterReadAtScrape({ registry, name: 'hookd_stream_fanout_received_total', help: 'Live stream messages received from the other daemons.', read: () => fanout().received });
    counterReadAtScrape({ registry, name: 'hookd_stream_fanout_dropped_total', help: 'Live stream messages not sent to the other daemons: the send queue was full or the connection failed.', read: () => fanout().dropped });
    counterReadAtScrape({ registry, name: 'hookd_stream_fanout_missed_total', help: 'Live stream messages of other daemons known missed (gaps in their numbering, a full receive queue, a pruned body).', read: () => fanout().missed });
  }
  const statements = deps.storageStatements;
  if (statements) {
    counterReadAtScrape({ registry, name: 'hookd_storage_statements_total', help: 'Statements this daemon sent to PostgreSQL through its pool (each a round trip; BEGIN and COMMIT included, the listening connection\'s LISTEN and NOTIFY not).', read: () => statements().statements });
    counterReadAtScrape({ registry, name: 'hookd_storage_transactions_total', help: 'Transactions this daemon ran on PostgreSQL through its pool (a statement outside BEGIN counts as one).', read: () => statements().transactions });
  }
  counterReadAtScrape({ registry, name: 'hookd_sse_clients_dropped_total', help: 'GET /stream clients dropped because they did not keep up (SLOW_CLIENT).', read: () => deps.streamStats().dropped });
}
