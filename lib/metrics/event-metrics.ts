// Events posted to POST /events: accepted by type, refused by type and error code. Types are
// labels only when the catalog has them (anything else is OTHER_LABEL), so a producer posting
// made-up types cannot grow the scrape.
import { Counter, type Registry } from 'prom-client';
import { OTHER_LABEL } from './label-cap.ts';

export interface EventMetrics {
  /** One posted item accepted (stored, a duplicate id answered, or a progress update published). */
  received(type: unknown): void;
  /** One posted item, or a whole request to POST /events, refused with this error code. */
  rejected(type: unknown, code: string): void;
}

// Error codes are hookd's own (lib/errors.ts); anything else is folded like an unknown type.
const CODE = /^[A-Z][A-Z_]{0,39}$/;

export function defineEventMetrics(registry: Registry, deps: { catalogTypes: readonly string[] }): EventMetrics {
  const known = new Set(deps.catalogTypes);
  const typeLabel = (type: unknown) => (typeof type === 'string' && known.has(type) ? type : OTHER_LABEL);
  // Counted in plain maps and handed to prom-client when scraped: its inc() with labels hashes
  // and checks them on every call, a noticeable share of a small POST. The keys are bounded
  // (the catalog's types and OTHER_LABEL, times hookd's error codes).
  const receivedBy = new Map<string, number>();
  const rejectedBy = new Map<string, { type: string; code: string; count: number }>();
  new Counter({
    name: 'hookd_events_received_total',
    help: 'Events posted to POST /events and accepted (stored, a repeated id, or a progress update published), by catalog type (other: not in the catalog).',
    labelNames: ['type'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [type, count] of receivedBy) this.inc({ type }, count);
    },
  });
  new Counter({
    name: 'hookd_events_rejected_total',
    help: 'Events posted to POST /events and refused (a single post, a batch item, or a whole request), by catalog type (other: not in the catalog or not readable) and error code.',
    labelNames: ['type', 'code'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { type, code, count } of rejectedBy.values()) this.inc({ type, code }, count);
    },
  });
  return {
    received: (type) => {
      const label = typeLabel(type);
      receivedBy.set(label, (receivedBy.get(label) ?? 0) + 1);
    },
    rejected: (type, code) => {
      const labels = { type: typeLabel(type), code: CODE.test(code) ? code : OTHER_LABEL };
      const key = `${labels.type}\n${labels.code}`;
      const entry = rejectedBy.get(key);
      if (entry) entry.count += 1;
      else rejectedBy.set(key, { ...labels, count: 1 });
    },
  };
}
