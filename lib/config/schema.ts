// The configuration as users write it in YAML (before units and paths are normalized): every
// key declared once, here, with its type, its default and what it means. The raw config's
// TypeScript type is derived from it (RawConfig), its defaults are read from it (defaults.ts),
// the validator is compiled from it (validate.ts; precompiled by the build), and the README's
// table is checked against it (test/lib/config/schema-docs.test.ts). Unknown keys are errors,
// so a typo is reported instead of silently ignored.
// Durations take "500ms", "5s", "2m", "1h", "30d"; sizes "512KiB", "1MiB" (or plain numbers:
// ms and bytes): formats registered by lib/json-schema.ts (see units.ts).
import Type, { type Static, type TObjectOptions, type TProperties, type TSchema, type TUnsafe } from 'typebox';
import { DEFAULT_DATA_DIR } from '../data-dir-paths.ts';
import { PATTERN_LIMITS } from '../event-pattern.ts';
import { INTEGRATIONS_SCHEMA } from './integrations.ts';
import { SCOPES } from './scopes.ts';

type Doc = { default?: unknown; description?: string };

const duration = (doc: Doc) => Type.Unsafe<number | string>({ type: ['number', 'string'], minimum: 0, format: 'duration', ...doc });
const size = (doc: Doc) => Type.Unsafe<number | string>({ type: ['integer', 'string'], minimum: 0, format: 'size', ...doc });
const int = (doc: Doc & { minimum?: number; maximum?: number }) => Type.Integer(doc);
const bool = (doc: Doc) => Type.Boolean(doc);
/** One of the values, told as "must be one of [...]" (an anyOf of consts would list each). */
const oneOf = <const V extends readonly (string | boolean)[]>(values: V, doc: Doc = {}) => Type.Unsafe<V[number]>({ enum: values, ...doc });
/** A user or group name (no leading '-', no ':'), or a numeric id; null: the daemon's own. */
const userOrGroup = (doc: Doc) =>
  Type.Unsafe<string | number | null>({ type: ['string', 'integer', 'null'], minimum: 0, maximum: 4294967294, pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}[$]?$', ...doc });

/** A mapping with fixed keys; missing ones take their defaults. */
function section<P extends TProperties>(properties: P, doc: Doc = {}) {
  return Type.Object(properties, { additionalProperties: false, default: {}, ...doc });
}

/** A mapping of names the user chooses to entries of one shape. */
function mapOf<E extends TSchema>(entry: E, options: TObjectOptions & Doc = {}) {
  return Type.Object({}, { ...options, additionalProperties: entry }) as unknown as TUnsafe<Record<string, Static<E>>>;
}

const profile = Type.Object(
  {
    heap: size({ description: "V8's old-generation heap of each worker thread" }),
    youngHeap: size({ default: '16MiB', description: "V8's young generation" }),
    stack: size({ default: '4MiB', description: "V8's stack" }),
    external: Type.Optional(size({ description: 'ArrayBuffers and other memory outside the heap a worker holds; defaults to heap' })),
  },
  { additionalProperties: false },
);

const catalogEntry = Type.Object(
  {
    kind: oneOf(['business', 'progress'], { description: 'business: stored, dispatched to hooks and webhooks; progress: live only' }),
    description: Type.Optional(Type.String()),
    schema: Type.Optional(Type.Unsafe<object | boolean>({ type: ['object', 'boolean'], description: "JSON Schema of the payload" })),
    sync: Type.Optional(Type.Boolean({ description: 'run the filter chain on every POST of this type' })),
    meta: Type.Optional(Type.Boolean({ description: "hookd's own type: never posted, never dispatched to hooks" })),
  },
  { additionalProperties: false },
);

const token = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    token: Type.String({ minLength: 16 }),
    scopes: Type.Array(oneOf(SCOPES), { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const CONFIG_SCHEMA = Type.Object(
  {
    server: section({
      host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'env HOOKD_HOST' }),
      port: int({ minimum: 0, maximum: 65535, default: 7700, description: 'env HOOKD_PORT' }),
      bodyLimit: size({ default: '1MiB', description: 'larger request bodies get 413' }),
      shutdownTimeout: duration({ default: '10s', description: 'how long in-flight requests may finish on SIGTERM' }),
      requestTimeout: duration({ default: '30s', description: 'a request (headers and body) must arrive within this, else 408 and the connection closes; a response, such as a /stream, is not bounded by it' }),
      headersTimeout: duration({ default: '10s', description: "a request's headers must arrive within this (at most requestTimeout)" }),
      keepAliveTimeout: duration({ default: '5s', description: 'an idle keep-alive connection closes after this' }),
      maxConnections: Type.Optional(
        int({ minimum: 1, description: 'open connections at once, streams included (above stream.maxClients); more are closed unanswered. Default: 1000, or stream.maxClients + 100 when that is more' }),
      ),
    }),
    dataDir: Type.String({ minLength: 1, default: DEFAULT_DATA_DIR, description: 'env HOOKD_DATA_DIR: the SQLite file and the generated admin token live here' }),
    log: section({
      level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { default: 'info', description: 'env HOOKD_LOG_LEVEL' }),
      pretty: oneOf(['auto', true, false], { default: 'auto', description: 'auto: pretty on a TTY, JSON lines otherwise' }),
    }),
    auth: section({
      tokens: Type.Array(token, {
        default: [],
        description:
          'scopes: events (POST /events, read events and progress), metrics (GET /metrics only), admin (everything). With no tokens and no HOOKD_TOKEN, the first start writes an admin token to <dataDir>/admin.token (0600)',
      }),
    }),
    metrics: section({
      public: bool({ default: false, description: 'true: GET /metrics without a token; false: a token with the metrics (or admin) scope' }),
    }),
    storage: section({
      client: oneOf(['sqlite', 'postgres'], { default: 'sqlite', description: 'sqlite: one daemon per database file; postgres: the server at url' }),
      // Its value is never echoed in an error: it may hold a password.
      url: Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, default: null, description: 'postgres: postgres://user:password@host:5432/database (HOOKD_DATABASE_URL sets it)' }),
      pool: int({ minimum: 1, maximum: 1000, default: 10, description: 'postgres: connections per daemon, at least 2 (one is held for LISTEN)' }),
      statementTimeout: duration({ default: '30s', description: 'postgres: a longer statement is cancelled (0: no limit); one a server leaves unanswered fails 2 s later (503)' }),
      instance: Type.Unsafe<string | null>({ type: ['string', 'null'], pattern: '^[A-Za-z0-9_.-]{1,64}$', default: null, description: "postgres: this daemon's name in its leases, unique per daemon; a restart under the same name frees its leases at once. null: a random id per start (leases then expire)" }),
      leaseTtl: duration({ default: '30s', description: "postgres: how long a daemon's claim on an event or delivery outlives it; renewed every third of it while held, so a killed daemon's work is taken over after at most this" }),
      file: Type.String({ minLength: 1, default: 'hookd.sqlite', description: 'sqlite: relative to dataDir' }),
      synchronous: oneOf(['full', 'normal'], { default: 'full', description: "sqlite's fsync policy (WAL mode either way)" }),
      maxSize: size({ default: 0, description: 'the largest the database file may grow; past it writes answer 507 STORAGE_FULL. 0: only the disk limits it' }),
      retention: section({
        events: duration({ default: '30d', description: 'dispatched events older than this are pruned (owed ones stay)' }),
        pruneInterval: duration({ default: '1h' }),
      }),
    }),
    events: section({
      maxBatch: int({ minimum: 1, default: 1000, description: 'items per batch POST (JSON array or NDJSON)' }),
      pageSize: int({ minimum: 1, maximum: 1000, default: 100, description: 'default page size of GET /events' }),
      // Past about 1,000 a stored payload nears what JSON.stringify can serialize (~5,000).
      maxDepth: int({ minimum: 1, maximum: 1000, default: 64, description: 'nesting depth of any JSON document hookd reads or stores (422 JSON_TOO_DEEP)' }),
    }),
    hooks: section({
      dir: Type.String({ minLength: 1, default: './hooks', description: 'env HOOKD_HOOKS_DIR: file hooks, watched and reloaded on change' }),
      watch: bool({ default: true, description: 'reload the directory when files change' }),
      watchDebounce: duration({ default: '200ms', description: 'wait for writes to settle before reloading' }),
      chainTimeout: duration({ default: '10s', description: 'one deadline for a whole filter chain' }),
      actionConcurrency: int({ minimum: 1, default: 8, description: 'action hook runs in flight at once, over all events' }),
      disableAfterFailures: int({ minimum: 0, default: 10, description: 'consecutive failures that disable a hook (0: never)' }),
      maxEmitDepth: int({ minimum: 0, maximum: 20, default: 3, description: 'how deep a chain of events raised by hooks (ctx.emit) may grow' }),
      invocationRetention: duration({ default: '14d', description: 'invocation records older than this are pruned' }),
      invocationsPerHook: int({ minimum: 1, default: 1000, description: 'and each hook keeps at most this many' }),
      maxHooks: int({ minimum: 1, maximum: 100000, default: 1000, description: 'hooks that may exist, file hooks counted; POST /hooks past it is 409 LIMIT_REACHED (the hooks directory is never refused)' }),
    }),
    runtime: section({
      timeout: duration({ default: '5s', description: "a call's default deadline; a hook's own timeoutMs wins" }),
      maxTimeout: duration({ default: '60s', description: 'the largest timeoutMs a hook may ask for' }),
      minThreads: int({ minimum: 0, default: 1, description: 'workers kept warm per limit profile' }),
      maxThreads: int({ minimum: 1, default: 2 }),
      idleTimeout: duration({ default: '10m', description: 'an idle worker above minThreads stops after this' }),
      maxResultSize: size({ default: '1MiB', description: 'a larger result is an invalid-result outcome' }),
      maxLogSize: size({ default: '64KiB', description: "a call's log lines kept, counted as stored (each line's JSON)" }),
      maxLogLines: int({ minimum: 1, default: 1000, description: 'and at most this many lines per call' }),
      maxSourceSize: size({ default: '256KiB', description: 'a larger hook source is refused at registration' }),
      compileTimeout: duration({ default: '5s', description: "deadline of compiling a hook, and of reading a hook file's config" }),
      maxFetchResponse: size({ default: '1MiB', description: 'the largest response body ctx.fetch reads' }),
      memoryBudget: size({ default: '1GiB', description: "RLIMIT_DATA of the sandbox host: all hooks' memory together" }),
      profiles: mapOf(profile, {
        required: ['default'],
        propertyNames: { pattern: '^[a-z][a-z0-9_-]*$' },
        default: { default: { heap: '64MiB', external: '64MiB' }, large: { heap: '256MiB', youngHeap: '32MiB', external: '256MiB' } },
        description: 'per-hook memory limits, chosen by a hook\'s "limits"; a call past any of them is oom',
      }),
    }),
    commands: section({
      concurrency: int({ minimum: 1, default: 4, description: 'command programs running at once; more calls wait for a slot' }),
      timeout: duration({ default: '30s', description: "default deadline (a hook's timeoutMs wins; at most runtime.maxTimeout)" }),
      killGrace: duration({ default: '2s', description: "after the deadline: SIGTERM to every process of the run, SIGKILL this much later" }),
      maxOutput: size({ default: '64KiB', description: 'per stream and run: log lines kept, counted as stored; stdout longer than this is not used as the result' }),
      maxOutputLines: int({ minimum: 1, default: 1000, description: 'and at most this many lines per stream and run' }),
      cwd: Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, default: null, description: 'null: a fresh temp dir per run, removed afterwards; or a fixed directory' }),
      maxPayloadVars: int({ minimum: 0, default: 256, description: 'HOOKD_PAYLOAD_* variables per run (document order); the rest left out' }),
      maxPayloadValueSize: size({ default: '4KiB', description: 'longer payload values are left out of the environment (stdin has them)' }),
      user: userOrGroup({ default: null, description: "run programs as this user (name or id); needs root or CAP_SETUID/CAP_SETGID/CAP_CHOWN and setpriv; null: the daemon's user" }),
      group: userOrGroup({ default: null, description: "and this group (name or id); null: the user's primary group" }),
      tracking: oneOf(['auto', 'cgroup', 'proc'], { default: 'auto', description: "how a run's processes are found: a cgroup v2 per run, the process table, or auto (cgroup when possible)" }),
    }),
    progress: section({
      coalesceWindow: duration({ default: '100ms', description: 'per (type, key): the first update at once, then at most one per window (0: off)' }),
      maxKeys: int({ minimum: 1, default: 10000, description: '(type, key) pairs coalesced at once' }),
      latestTtl: duration({ default: '10m', description: 'GET /progress forgets a key not updated for this long' }),
      maxLatestEntries: int({ minimum: 1, default: 10000, description: 'GET /progress keeps this many keys; the least recently updated go first' }),
      maxEntrySize: size({ default: '64KiB', description: 'one progress payload as JSON; larger posted ones get 413, from hooks dropped' }),
      maxLatestSize: size({ default: '16MiB', description: 'all values GET /progress keeps together; updates held for coalescing are bounded the same way' }),
      rateLimit: int({ minimum: 0, default: 5000, description: 'progress events per second one token may post; past it 429. 0: off' }),
    }),
    stream: section({
      heartbeat: duration({ default: '15s', description: 'a ": ping" comment this often (0: none)' }),
      retry: duration({ default: '3s', description: 'how long a browser EventSource waits before reconnecting' }),
      clientQueueLimit: int({ minimum: 1, default: 5000, description: 'messages waiting for one slow client' }),
      clientQueueBytes: size({ default: '4MiB', description: 'past either bound the client is sent an error event and dropped' }),
      replayLimit: int({ minimum: 0, default: 1000, description: 'business events replayed after Last-Event-ID; past it a "gap" event' }),
      maxClients: int({ minimum: 1, default: 100, description: 'open streams at once; more get 503' }),
      maxClientsPerToken: int({ minimum: 1, default: 10, description: 'open streams one token may hold; more get 429' }),
      queryToken: bool({ default: true, description: 'also accept ?access_token= on GET /stream and /progress' }),
    }),
    ui: section({
      sessionTtl: duration({ default: '12h', description: "a dashboard session ends this long after sign-in (the cookie's Max-Age)" }),
      sessionIdleTimeout: duration({ default: 0, description: 'and this long after its last use (0: no idle timeout)' }),
      secureCookie: oneOf(['auto', true, false], { default: 'auto', description: 'auto: the session cookie is Secure when the request came over TLS; true behind a TLS proxy' }),
      replayMaxEvents: int({ minimum: 1, maximum: 10000, default: 200, description: 'the most stored events one replay (POST /hooks/replay) runs a draft against' }),
    }),
    webhooks: section({
      timeout: duration({ default: '10s', description: 'per request, connect to the end of the (capped) response body' }),
      retrySchedule: Type.Array(duration({}), {
        maxItems: 50,
        default: ['5s', '5m', '30m', '2h', '5h', '10h', '10h'],
        description: "delays between attempts, after the first one (Svix's schedule: 8 attempts in about 28 h)",
      }),
      jitter: Type.Number({ minimum: 0, maximum: 1, default: 0.2, description: 'each delay varies by up to this fraction' }),
      maxRetryAfter: duration({ default: '1h', description: "a receiver's Retry-After is honoured up to this long" }),
      disableAfterFailures: int({ minimum: 0, default: 10, description: 'consecutive failed deliveries that disable an endpoint (0: never)' }),
      allowPrivateNetworks: bool({ default: true, description: 'false refuses loopback and private targets; link-local and metadata addresses are always refused' }),
      maxConcurrency: int({ minimum: 1, default: 32, description: 'requests in flight over all endpoints' }),
      maxConcurrencyPerEndpoint: int({ minimum: 1, default: 4, description: 'requests in flight to one endpoint' }),
      maxResponseBody: size({ default: '4KiB', description: 'response bytes read and kept per attempt' }),
      maxEndpoints: int({ minimum: 1, maximum: 100000, default: 1000, description: 'endpoints that may exist; POST /webhooks past it is 409 LIMIT_REACHED' }),
      rotationGrace: duration({ default: '24h', description: 'after rotate-secret the old secret keeps signing beside the new one' }),
      deliveryRetention: duration({ default: '30d', description: 'finished deliveries (and their attempts) older than this are pruned' }),
      pollInterval: duration({ default: '1s', description: 'how often the sender looks for due retries when nothing wakes it' }),
      safetyPoll: duration({
        default: '30s',
        description: 'postgres: how often an idle sender looks for due deliveries anyway; notifications wake it when rows become claimable, and it sleeps until the next retry or lease expiry it has read',
      }),
    }),
    secrets: mapOf(Type.String(), { default: {}, description: 'values hooks may read through ctx.env when their permissions.env names them; never logged' }),
    integrations: Type.Unsafe<Static<typeof INTEGRATIONS_SCHEMA>>({ ...INTEGRATIONS_SCHEMA, default: {} }),
    // The default catalog is data, not a setting: config/hookd.yaml holds it.
    catalog: mapOf(catalogEntry, {
      // No longer than an event pattern may be, so every type can be named in one.
      propertyNames: { pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*$', maxLength: PATTERN_LIMITS.maxLength },
      default: {},
    }),
  },
  { additionalProperties: false },
);

/** The raw configuration once defaults are applied (defaults.ts) and it is valid. */
export type RawConfig = Static<typeof CONFIG_SCHEMA>;
