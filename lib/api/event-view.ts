// How an event looks in API answers (and in webhook bodies): camelCase, ISO times.
import type { EventRecord } from '../db/events-store.ts';

export function presentEvent(e: EventRecord) {
  return {
    id: e.id,
    type: e.type,
    status: e.status,
    occurredAt: e.occurredAt,
    receivedAt: new Date(e.receivedAt).toISOString(),
    payload: e.payload,
    ...(e.finalPayload === undefined ? {} : { finalPayload: e.finalPayload }),
    source: e.source,
    ...(e.causationId ? { causationId: e.causationId, depth: e.depth } : {}),
  };
}
