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
  const received = new Counter({
    name: 'hookd_events_received_total',
    help: 'Events posted to POST /events and accepted (stored, a repeated id, or a progress update published), by catalog type (other: not in the catalog).',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'hookd_events_rejected_total',
    help: 'Events posted to POST /events and refused (a single post, a batch item, or a whole request), by catalog type (other: not in the catalog or not readable) and error code.',
    labelNames: ['type', 'code'] as const,
    registers: [registry],
  });
  return {
    received: (type) => received.inc({ type: typeLabel(type) }),
    rejected: (type, code) => rejected.inc({ type: typeLabel(type), code: CODE.test(code) ? code : OTHER_LABEL }),
  };
}
