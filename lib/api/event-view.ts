// How an event looks in API answers (and in webhook bodies): camelCase, ISO times; and the
// schemas the OpenAPI document shows for it and for the answers to a POST (the first types
// what presentEvent returns).
import type { Static } from 'typebox';
import type { EventRecord } from '../db/events-store.ts';
import { ERROR_CODES } from '../errors.ts';
import { payloadAt, wasFiltered } from '../events/index.ts';
import { DATE_TIME, JSON_VALUE, NULLABLE_STRING } from '../value-schemas.ts';
import { DELIVERY_VIEW } from '../webhooks/views.ts';
import { INVOCATION_STATUSES, INVOCATION_VIEW } from './hook-view.ts';

export const EVENT_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'status', 'occurredAt', 'receivedAt', 'payload', 'source'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    status: {
      enum: ['pending', 'done'],
      description: 'pending while action hooks are owed, done after. A waiting POST runs its filter chain before the event is stored.',
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

export const EVENT_ACCEPTED = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'status'],
  description: 'Durably stored. status: pending while action hooks are owed, else done.',
  properties: { id: { type: 'string' }, type: { type: 'string' }, status: { enum: ['pending', 'done'] } },
} as const;

export const PROGRESS_ACCEPTED = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'status'],
  description: 'A progress-kind type: published live (GET /stream, GET /progress), never stored or dispatched.',
  properties: { type: { type: 'string' }, status: { const: 'live' } },
} as const;

export const FILTER_RESULT = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'payload', 'changed', 'results'],
  description: 'The filter chain ran (?wait=true, or a catalog type with sync: true): the final payload and what each filter hook did.',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    payload: { ...JSON_VALUE, description: 'The final payload, as stored.' },
    changed: { type: 'boolean' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['hook', 'status', 'durationMs'],
        properties: {
          hook: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'name'],
            properties: { id: { type: 'string' }, name: { type: 'string' } },
          },
          status: { enum: [...INVOCATION_STATUSES, 'skipped'], description: 'A failing hook is listed and skipped, never fatal.' },
          durationMs: { type: 'number', minimum: 0 },
          error: { type: 'string' },
        },
      },
    },
    duplicate: { const: true, description: 'The id was seen before: the stored event, no chain ran.' },
  },
} as const;

export const BATCH_RESULT = {
  type: 'object',
  additionalProperties: false,
  required: ['accepted', 'rejected', 'results'],
  properties: {
    accepted: { type: 'integer', minimum: 0 },
    rejected: { type: 'integer', minimum: 0 },
    results: {
      type: 'array',
      description: 'One entry per item, in order: each item is judged and stored on its own.',
      items: {
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'status', 'id', 'type', 'state'],
            properties: {
              index: { type: 'integer', minimum: 0 },
              status: { enum: [200, 202], description: '202 stored now, 200 stored before (the same id).' },
              id: { type: 'string' },
              type: { type: 'string' },
              state: { enum: ['pending', 'done'] },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'status', 'type', 'state'],
            properties: { index: { type: 'integer', minimum: 0 }, status: { const: 202 }, type: { type: 'string' }, state: { const: 'live' } },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['index', 'status', 'code', 'message'],
            description: 'A refused item: the status, code, message and details it would have had alone.',
            properties: {
              index: { type: 'integer', minimum: 0 },
              status: { type: 'integer', minimum: 400, maximum: 599 },
              code: { enum: ERROR_CODES },
              message: { type: 'string' },
              details: { type: 'object' },
            },
          },
        ],
      },
    },
  },
} as const;

export const EVENT_DETAIL = {
  ...EVENT_VIEW,
  required: [...EVENT_VIEW.required, 'invocations', 'deliveries'],
  properties: {
    ...EVENT_VIEW.properties,
    invocations: { type: 'array', items: INVOCATION_VIEW, description: 'Every hook run for it.' },
    deliveries: { type: 'array', items: DELIVERY_VIEW, description: 'Its webhook deliveries, with every attempt.' },
  },
} as const;

export function presentEvent(e: EventRecord): EventView {
  return {
    id: e.id,
    type: e.type,
    status: e.status,
    occurredAt: e.occurredAt,
    receivedAt: new Date(e.receivedAt).toISOString(),
    payload: payloadAt(e, 'received'),
    ...(wasFiltered(e) ? { finalPayload: payloadAt(e, 'final') } : {}),
    source: e.source,
    ...(e.causationId ? { causationId: e.causationId, depth: e.depth } : {}),
  };
}
