// GET /progress: the latest value per (type, key), for a page that connects late.
// GET /stats: the progress and stream counters (received, delivered, coalesced, dropped).
import type { Progress } from '../progress/index.ts';
import type { StreamHub } from '../progress/stream-hub.ts';
import { parseTypeFilter } from '../progress/type-filter.ts';
import { DATE_TIME, JSON_VALUE } from '../value-schemas.ts';
import { createRouteTable, defineRoute } from './route.ts';

export const TYPES_PARAM = {
  type: 'array',
  items: { type: 'string' },
  description: 'Event-type patterns ("download.*,job.progress"), comma-separated or repeated; at most 100 of at most 200 characters. Default: every type.',
} as const;

const counters = (names: readonly string[]) =>
  Object.fromEntries(names.map((n) => [n, { type: 'integer', minimum: 0 } as const]));

const PROGRESS_COUNTERS = ['received', 'delivered', 'coalesced', 'passedThrough', 'trackedKeys', 'pending', 'pendingBytes', 'latestEntries', 'latestBytes', 'latestEvicted', 'rejected'] as const;
const STREAM_COUNTERS = ['clients', 'opened', 'dropped', 'queued', 'peakQueued', 'sent', 'coalesced'] as const;

export const PROGRESS_ROUTES = {
  latest: defineRoute({
    operationId: 'getProgress',
    method: 'GET',
    path: '/progress',
    tag: 'streams',
    summary: 'The latest progress value per (type, key), for a page that connects late',
    description: 'Entries expire after progress.latestTtl; what is held is bounded by progress.maxLatestEntries and progress.maxLatestSize.',
    auth: { scope: 'events', queryToken: true },
    query: {
      type: 'object',
      properties: {
        types: TYPES_PARAM,
        key: { type: 'string', maxLength: 1024, description: 'Only this key.' },
      },
    },
    responses: {
      200: {
        description: 'The current values.',
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['items'],
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['type', 'key', 'payload', 'at', 'expiresAt'],
                properties: { type: { type: 'string' }, key: { type: 'string' }, payload: JSON_VALUE, at: DATE_TIME, expiresAt: DATE_TIME },
              },
            },
          },
        },
      },
    },
  }),
  stats: defineRoute({
    operationId: 'getStats',
    method: 'GET',
    path: '/stats',
    tag: 'streams',
    summary: 'Progress and stream counters',
    description: 'progress: received = delivered + coalesced + pending (rejected updates are not received).',
    auth: { scope: 'events' },
    responses: {
      200: {
        description: 'The counters.',
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['progress', 'stream'],
          properties: {
            progress: { type: 'object', additionalProperties: false, required: PROGRESS_COUNTERS, properties: counters(PROGRESS_COUNTERS) },
            stream: { type: 'object', additionalProperties: false, required: STREAM_COUNTERS, properties: counters(STREAM_COUNTERS) },
          },
        },
      },
    },
  }),
} as const;

export interface ProgressRouterDeps {
  progress: Progress;
  hub: StreamHub;
  /** Every catalog type's name (the filter's patterns are checked like /stream's). */
  catalogTypes: readonly string[];
}

export function createProgressRouter(deps: ProgressRouterDeps) {
  const routes = createRouteTable();

  routes.add(PROGRESS_ROUTES.latest, (ctx, { query }) => {
    const filter = parseTypeFilter(query.types, { parameter: 'types', catalogTypes: deps.catalogTypes });
    const ttl = deps.progress.ttlMs;
    const items = deps.progress.latest(filter.matches).flatMap((e) =>
      query.key !== undefined && e.key !== query.key
        ? []
        : [{ type: e.type, key: e.key, payload: e.data, at: e.at, expiresAt: new Date(e.updatedAt + ttl).toISOString() }],
    );
    ctx.set('cache-control', 'no-store');
    ctx.body = { items };
  });

  routes.add(PROGRESS_ROUTES.stats, (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = { progress: deps.progress.stats(), stream: deps.hub.stats() };
  });

  return routes.router;
}
