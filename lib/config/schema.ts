// The JSON Schema of the configuration as users write it in YAML (before units and paths are
// normalized). Unknown keys are errors, so a typo is reported instead of silently ignored.

// "duration" and "size" are formats registered by lib/json-schema.ts (see units.ts).
const duration = { type: ['number', 'string'], minimum: 0, format: 'duration' };
const size = { type: ['integer', 'string'], minimum: 0, format: 'size' };

function section(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, properties, required };
}

const catalogEntry = section(
  {
    kind: { enum: ['business', 'progress'] },
    description: { type: 'string' },
    schema: { type: ['object', 'boolean'] },
    sync: { type: 'boolean' },
    meta: { type: 'boolean' },
  },
  ['kind'],
);

export const CONFIG_SCHEMA = section({
  server: section({
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    bodyLimit: size,
    shutdownTimeout: duration,
  }),
  dataDir: { type: 'string', minLength: 1 },
  log: section({
    level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] },
    pretty: { enum: ['auto', true, false] },
  }),
  auth: section({
    tokens: {
      type: 'array',
      items: section(
        {
          name: { type: 'string', minLength: 1 },
          token: { type: 'string', minLength: 16 },
          scopes: { type: 'array', minItems: 1, items: { enum: ['events', 'admin'] } },
        },
        ['name', 'token', 'scopes'],
      ),
    },
  }),
  storage: section({
    file: { type: 'string', minLength: 1 },
    synchronous: { enum: ['full', 'normal'] },
    retention: section({ events: duration, pruneInterval: duration }),
  }),
  events: section({
    maxBatch: { type: 'integer', minimum: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 1000 },
  }),
  hooks: section({ dir: { type: 'string', minLength: 1 } }),
  catalog: {
    type: 'object',
    propertyNames: { pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*$' },
    additionalProperties: catalogEntry,
  },
});
