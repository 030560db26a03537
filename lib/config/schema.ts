// The JSON Schema of the configuration as users write it in YAML (before units and paths are
// normalized). Unknown keys are errors, so a typo is reported instead of silently ignored.
import { PATTERN_LIMITS } from '../event-pattern.ts';
import { INTEGRATIONS_SCHEMA } from './integrations.ts';
import { SCOPES } from './normalize.ts';

// "duration" and "size" are formats registered by lib/json-schema.ts (see units.ts).
const duration = { type: ['number', 'string'], minimum: 0, format: 'duration' };
const size = { type: ['integer', 'string'], minimum: 0, format: 'size' };
// A user or group name (no leading '-', no ':'), or a numeric id; null: the daemon's own.
const userOrGroup = { type: ['string', 'integer', 'null'], minimum: 0, maximum: 4294967294, pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}[$]?$' };

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
          scopes: { type: 'array', minItems: 1, items: { enum: [...SCOPES] } },
        },
        ['name', 'token', 'scopes'],
      ),
    },
  }),
  storage: section({
    client: { enum: ['sqlite', 'postgres'] },
    // Its value is never echoed in an error: it may hold a password.
    url: { type: ['string', 'null'], minLength: 1 },
    pool: { type: 'integer', minimum: 1, maximum: 1000 },
    statementTimeout: duration,
    file: { type: 'string', minLength: 1 },
    synchronous: { enum: ['full', 'normal'] },
    maxSize: size,
    retention: section({ events: duration, pruneInterval: duration }),
  }),
  metrics: section({ public: { type: 'boolean' } }),
  events: section({
    maxBatch: { type: 'integer', minimum: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 1000 },
    // Past about 1,000 a stored payload nears what JSON.stringify can serialize (~5,000).
    maxDepth: { type: 'integer', minimum: 1, maximum: 1000 },
  }),
  hooks: section({
    dir: { type: 'string', minLength: 1 },
    watch: { type: 'boolean' },
    watchDebounce: duration,
    chainTimeout: duration,
    actionConcurrency: { type: 'integer', minimum: 1 },
    disableAfterFailures: { type: 'integer', minimum: 0 },
    maxEmitDepth: { type: 'integer', minimum: 0, maximum: 20 },
    invocationRetention: duration,
    invocationsPerHook: { type: 'integer', minimum: 1 },
  }),
  runtime: section({
    timeout: duration,
    maxTimeout: duration,
    minThreads: { type: 'integer', minimum: 0 },
    maxThreads: { type: 'integer', minimum: 1 },
    idleTimeout: duration,
    maxResultSize: size,
    maxLogSize: size,
    maxLogLines: { type: 'integer', minimum: 1 },
    maxSourceSize: size,
    compileTimeout: duration,
    maxFetchResponse: size,
    memoryBudget: size,
    profiles: {
      type: 'object',
      required: ['default'],
      propertyNames: { pattern: '^[a-z][a-z0-9_-]*$' },
      additionalProperties: section({ heap: size, youngHeap: size, stack: size, external: size }, ['heap']),
    },
  }),
  commands: section({
    concurrency: { type: 'integer', minimum: 1 },
    timeout: duration,
    killGrace: duration,
    maxOutput: size,
    maxOutputLines: { type: 'integer', minimum: 1 },
    cwd: { type: ['string', 'null'], minLength: 1 },
    maxPayloadVars: { type: 'integer', minimum: 0 },
    maxPayloadValueSize: size,
    user: userOrGroup,
    group: userOrGroup,
    tracking: { enum: ['auto', 'cgroup', 'proc'] },
  }),
  progress: section({
    coalesceWindow: duration,
    maxKeys: { type: 'integer', minimum: 1 },
    latestTtl: duration,
    maxLatestEntries: { type: 'integer', minimum: 1 },
    maxEntrySize: size,
    maxLatestSize: size,
    rateLimit: { type: 'integer', minimum: 0 },
  }),
  stream: section({
    heartbeat: duration,
    retry: duration,
    clientQueueLimit: { type: 'integer', minimum: 1 },
    clientQueueBytes: size,
    replayLimit: { type: 'integer', minimum: 0 },
    maxClients: { type: 'integer', minimum: 1 },
    maxClientsPerToken: { type: 'integer', minimum: 1 },
    queryToken: { type: 'boolean' },
  }),
  ui: section({
    sessionTtl: duration,
    sessionIdleTimeout: duration,
    secureCookie: { enum: ['auto', true, false] },
    replayMaxEvents: { type: 'integer', minimum: 1, maximum: 10000 },
  }),
  webhooks: section({
    timeout: duration,
    retrySchedule: { type: 'array', maxItems: 50, items: duration },
    jitter: { type: 'number', minimum: 0, maximum: 1 },
    maxRetryAfter: duration,
    disableAfterFailures: { type: 'integer', minimum: 0 },
    allowPrivateNetworks: { type: 'boolean' },
    maxConcurrency: { type: 'integer', minimum: 1 },
    maxConcurrencyPerEndpoint: { type: 'integer', minimum: 1 },
    maxResponseBody: size,
    rotationGrace: duration,
    deliveryRetention: duration,
    pollInterval: duration,
  }),
  secrets: { type: 'object', additionalProperties: { type: 'string' } },
  integrations: INTEGRATIONS_SCHEMA,
  catalog: {
    type: 'object',
    // No longer than an event pattern may be, so every type can be named in one.
    propertyNames: { pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*$', maxLength: PATTERN_LIMITS.maxLength },
    additionalProperties: catalogEntry,
  },
});
