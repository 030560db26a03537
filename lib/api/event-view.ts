// How an event looks in API answers (and in webhook bodies): camelCase, ISO times; the schema
// the OpenAPI document shows for it, which types what presentEvent returns.
import type { Static } from 'typebox';
import type { EventRecord } from '../db/events-store.ts';
import { DATE_TIME, JSON_VALUE, NULLABLE_STRING } from '../value-schemas.ts';

export const EVENT_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'status', 'occurredAt', 'receivedAt', 'payload', 'source'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    status: {
      enum: ['filtering', 'pending', 'done'],
      description: 'pending while action hooks are owed, done after; filtering while a waiting POST runs its filter chain.',
    },
    occurredAt: DATE_TIME,
    receivedAt: DATE_TIME,
    payload: { ...JSON_VALUE, description: 'The payload as posted (or emitted).' },
    finalPayload: { ...JSON_VALUE, description: 'The payload after the filter chain, when one ran before the event was stored.' },
    source: { ...NULLABLE_STRING, description: 'The name of the token that posted it, or what raised it (a hook, hookd).' },
    causationId: { type: 'string', description: 'The event whose hook emitted this one.' },
    depth: { type: 'integer', minimum: 0, description: 'How many emits deep along its causation chain.' },
  },
} as const;

export type EventView = Static<typeof EVENT_VIEW>;

export function presentEvent(e: EventRecord): EventView {
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
