// GET /catalog: every event type hookd accepts, with its kind, payload schema, description and a
// sample payload (lib/catalog-sample.ts).
import type { Catalog } from '../catalog.ts';
import { createCatalogSamples } from '../catalog-sample.ts';
import { JSON_VALUE } from '../value-schemas.ts';
import { createRouteTable, defineRoute } from './route.ts';

export const CATALOG_TYPE = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'description', 'sync', 'meta'],
  properties: {
    name: { type: 'string', description: 'The event type, e.g. "media.added".' },
    kind: { enum: ['business', 'progress'], description: 'business: stored and dispatched to hooks and webhooks; progress: live only.' },
    description: { type: 'string' },
    schema: {
      type: ['object', 'boolean'],
      description:
        "The JSON Schema (draft-07, as the config's catalog gives it) every posted payload of this type is checked against " +
        '(422 SCHEMA_VIOLATION); absent: any payload.',
    },
    sync: { type: 'boolean', description: 'Every POST of this type runs the filter chain, as with ?wait=true.' },
    meta: { type: 'boolean', description: "hookd's own events (hook.executed, webhook.disabled, delivery.failed): they cannot be posted." },
    sample: {
      ...JSON_VALUE,
      description:
        "A payload this type's schema accepts (checked against it): the first of the schema's own `examples` that validates, else a minimal " +
        'one built from the schema (its required properties, the first enum value, a value of each format). Absent when no such payload can be built.',
    },
    sampleFrom: { enum: ['example', 'generated'], description: "example: from the schema's `examples`; generated: built from the schema." },
  },
} as const;

export const CATALOG_ROUTES = {
  list: defineRoute({
    operationId: 'getCatalog',
    method: 'GET',
    path: '/catalog',
    tag: 'events',
    summary: 'The event catalog: every type with its kind, payload schema, description and a sample payload',
    description: "Event payloads are free-form in this document: each type's payload schema is here, from the config's `catalog`.",
    auth: { scope: 'events' },
    responses: {
      200: {
        description: 'The catalog, sorted by name.',
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['types'],
          properties: { types: { type: 'array', items: CATALOG_TYPE } },
        },
      },
    },
  }),
} as const;

export function createCatalogRouter(deps: { catalog: Catalog }) {
  const routes = createRouteTable();
  const withSamples = createCatalogSamples(deps.catalog);
  routes.add(CATALOG_ROUTES.list, async (ctx) => {
    ctx.body = { types: await withSamples() };
  });
  return routes.router;
}
