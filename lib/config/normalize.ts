// Turns the validated raw config (YAML shapes, units as strings, relative paths) into the
// typed Config the daemon uses: milliseconds, bytes, absolute paths.
import { resolve } from 'node:path';
import { errors } from '../errors.ts';
import { parseDuration, parseSize } from './units.ts';
import { INTEGRATION_CATALOG } from '../integrations/catalog.ts';
import type { IntegrationConfig } from './integrations.ts';
import type { ConfigProblem } from './notices.ts';
import type { RawConfig } from './schema.ts';

/** What a token may do: events (post and read events), metrics (GET /metrics), admin (everything). */
import type { Scope } from './scopes.ts';
export { SCOPES, type Scope } from './scopes.ts';

export interface TokenConfig {
  name: string;
  token: string;
  scopes: Scope[];
}

import type { CatalogEntryConfig } from './catalog-entry.ts';
export type { CatalogEntryConfig } from './catalog-entry.ts';

export interface ServerConfig {
  host: string;
  port: number;
  bodyLimit: number;
  shutdownTimeoutMs: number;
  /** Node's http.Server limits on slow and surplus clients (lib/api/http-server.ts). */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export interface Config {
  server: ServerConfig;
  dataDir: string;
  log: { level: string; pretty: boolean | 'auto' };
  auth: { tokens: TokenConfig[] };
  storage: StorageConfig;
  /** GET /metrics: public answers it without a token (else the metrics or admin scope). */
  metrics: { public: boolean };
  events: {
    maxBatch: number;
    pageSize: number;
    /** Nesting depth of any JSON hookd reads or stores (bodies, hook outputs, emits, progress). */
    maxDepth: number;
  };
  hooks: HooksConfig;
  runtime: RuntimeConfig;
  commands: CommandsConfig;
  progress: ProgressConfig;
  stream: StreamConfig;
  ui: UiConfig;
  webhooks: WebhooksConfig;
  /** Values for ctx.env, by name (permissions.env); never logged. */
  secrets: Record<string, string>;
  /** The *arr apps' APIs (`radarr`, `radarr/4k`) for ctx.apps; keys never logged. */
  integrations: Record<string, IntegrationConfig>;
  catalog: Record<string, CatalogEntryConfig>;
  /** The files merged to make this config, embedded default first. */
  sources: string[];
  /** Settings the operator made that this storage client ignores (notices.ts): logged at start, printed by check. */
  notices?: ConfigProblem[];
  /** The keys an environment variable set, and its name (storage.url: HOOKD_DATABASE_URL), for errors that name a setting. */
  setByEnv?: Record<string, string>;
  /** The settings as merged from the files and the environment (and a command-line flag: cli/config-file.ts), defaults applied, before normalizing: a reload compares them by name. */
  settings?: Record<string, unknown>;
}

export interface StorageConfig {
  /** sqlite: the file below, one daemon per file; postgres: the server at `url`. */
  client: 'sqlite' | 'postgres';
  /** postgres only; may hold a password: never log it as is (redactDatabaseUrl). */
  url?: string;
  /** postgres: connections per daemon. */
  pool: number;
  /** postgres: a longer statement is cancelled; 0: no limit. */
  statementTimeoutMs: number;
  /** postgres: this daemon's name in its leases; null: a random id per start. */
  instance: string | null;
  /** postgres: how long an event's or delivery's claim outlives a daemon that stops renewing it. */
  leaseTtlMs: number;
  file: string;
  synchronous: 'full' | 'normal';
  /** The database file's largest size; 0: no cap but the disk's. */
  maxSizeBytes: number;
  retention: { eventsMs: number; pruneIntervalMs: number };
}

// The raw shape (defaults applied, validated) is CONFIG_SCHEMA's; this only reads it.
type Raw = RawConfig;

export interface HooksConfig {
  dir: string;
  watch: boolean;
  watchDebounceMs: number;
  chainTimeoutMs: number;
  actionConcurrency: number;
  /** 0 never disables. */
  disableAfterFailures: number;
  maxEmitDepth: number;
  invocationRetentionMs: number;
  invocationsPerHook: number;
  /** Hooks that may exist, file hooks counted: POST /hooks past it is refused (the directory never is). */
  maxHooks: number;
}

export interface RuntimeConfig {
  timeoutMs: number;
  maxTimeoutMs: number;
  minThreads: number;
  maxThreads: number;
  idleTimeoutMs: number;
  maxResultBytes: number;
  /** A call's log as stored (each line's JSON, escaping included), and its number of lines. */
  maxLogBytes: number;
  maxLogLines: number;
  maxSourceBytes: number;
  compileTimeoutMs: number;
  maxFetchResponseBytes: number;
  memoryBudgetMb: number;
  profiles: Record<string, { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number; stackSizeMb: number; maxExternalMb: number }>;
}

const MIB = 1024 * 1024;

function normalizeHooks(h: Raw['hooks'], cwd: string): HooksConfig {
  return {
    dir: resolve(cwd, h.dir),
    watch: h.watch,
    watchDebounceMs: parseDuration(h.watchDebounce)!,
    chainTimeoutMs: parseDuration(h.chainTimeout)!,
    actionConcurrency: h.actionConcurrency,
    disableAfterFailures: h.disableAfterFailures,
    maxEmitDepth: h.maxEmitDepth,
    invocationRetentionMs: parseDuration(h.invocationRetention)!,
    invocationsPerHook: h.invocationsPerHook,
    maxHooks: h.maxHooks,
  };
}

function normalizeRuntime(r: Raw['runtime']): RuntimeConfig {
  const mb = (v: number | string) => Math.max(1, Math.round(parseSize(v)! / MIB));
  return {
    timeoutMs: parseDuration(r.timeout)!,
    maxTimeoutMs: parseDuration(r.maxTimeout)!,
    minThreads: r.minThreads,
    maxThreads: r.maxThreads,
    idleTimeoutMs: parseDuration(r.idleTimeout)!,
    maxResultBytes: parseSize(r.maxResultSize)!,
    maxLogBytes: parseSize(r.maxLogSize)!,
    maxLogLines: r.maxLogLines,
    maxSourceBytes: parseSize(r.maxSourceSize)!,
    compileTimeoutMs: parseDuration(r.compileTimeout)!,
    maxFetchResponseBytes: parseSize(r.maxFetchResponse)!,
    memoryBudgetMb: mb(r.memoryBudget),
    profiles: Object.fromEntries(
      Object.entries(r.profiles).map(([name, p]) => {
        const heap = mb(p.heap);
        // ArrayBuffers escape V8's heap limit; by default a profile allows as much of them as heap.
        return [name, { maxOldGenerationSizeMb: heap, maxYoungGenerationSizeMb: mb(p.youngHeap), stackSizeMb: mb(p.stack), maxExternalMb: p.external === undefined ? heap : mb(p.external) }];
      }),
    ),
  };
}

export interface CommandsConfig {
  /** Command hook programs running at once, over all hooks and events. */
  concurrency: number;
  /** A command's deadline when neither the hook nor the filter chain gives one. */
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL to a timed-out command's process group. */
  killGraceMs: number;
  /**
   * Per stream (stdout, stderr) and run: the log lines kept, in bytes as stored (each line's
   * JSON), and the most stdout read as the JSON result.
   */
  maxOutputBytes: number;
  /** Log lines kept per stream and run. */
  maxOutputLines: number;
  /** null: a fresh temp dir per run, removed afterwards. */
  cwd: string | null;
  maxPayloadVars: number;
  maxPayloadValueBytes: number;
  /** Run programs as this user and group (names or ids, as text); null: the daemon's own. */
  user: string | null;
  group: string | null;
  /** How a run's processes are tracked: a cgroup per run (`auto` when possible) or the process table. */
  tracking: 'auto' | 'cgroup' | 'proc';
}

function normalizeCommands(c: Raw['commands'], cwd: string): CommandsConfig {
  return {
    concurrency: c.concurrency,
    timeoutMs: parseDuration(c.timeout)!,
    killGraceMs: parseDuration(c.killGrace)!,
    maxOutputBytes: parseSize(c.maxOutput)!,
    maxOutputLines: c.maxOutputLines,
    cwd: c.cwd == null ? null : resolve(cwd, c.cwd),
    maxPayloadVars: c.maxPayloadVars,
    maxPayloadValueBytes: parseSize(c.maxPayloadValueSize)!,
    user: c.user == null ? null : String(c.user),
    group: c.group == null ? null : String(c.group),
    tracking: c.tracking,
  };
}

export interface ProgressConfig {
  /** 0 turns coalescing off: every update is delivered. */
  coalesceWindowMs: number;
  maxKeys: number;
  latestTtlMs: number;
  maxLatestEntries: number;
  /** One progress payload, as JSON: larger posted ones get 413, larger ones from hooks are dropped. */
  maxEntryBytes: number;
  /** All values held for GET /progress together (and, separately, those held for coalescing). */
  maxLatestBytes: number;
  /** Progress events per second one token may post (burst: one second's worth); 0: no limit. */
  rateLimit: number;
}

export interface StreamConfig {
  /** 0 sends no heartbeats. */
  heartbeatMs: number;
  retryMs: number;
  clientQueueLimit: number;
  clientQueueBytes: number;
  replayLimit: number;
  maxClients: number;
  /** Open streams one token (principal) may hold, so one cannot take every slot. */
  maxClientsPerToken: number;
  queryToken: boolean;
}

/** The dashboard's sessions and replays. */
export interface UiConfig {
  sessionTtlMs: number;
  /** 0: no idle timeout. */
  sessionIdleTimeoutMs: number;
  secureCookie: 'auto' | boolean;
  replayMaxEvents: number;
}

export interface WebhooksConfig {
  timeoutMs: number;
  /** Delays before the 2nd, 3rd, ... attempt; its length + 1 is the number of attempts. */
  retryScheduleMs: number[];
  jitter: number;
  maxRetryAfterMs: number;
  /** 0 never disables. */
  disableAfterFailures: number;
  allowPrivateNetworks: boolean;
  maxConcurrency: number;
  maxConcurrencyPerEndpoint: number;
  /** Endpoints that may exist: POST /webhooks past it is refused. */
  maxEndpoints: number;
  maxResponseBodyBytes: number;
  rotationGraceMs: number;
  deliveryRetentionMs: number;
  pollIntervalMs: number;
  safetyPollMs: number;
}

function normalizeWebhooks(w: Raw['webhooks']): WebhooksConfig {
  return {
    timeoutMs: parseDuration(w.timeout)!,
    retryScheduleMs: w.retrySchedule.map((d) => parseDuration(d)!),
    jitter: w.jitter,
    maxRetryAfterMs: parseDuration(w.maxRetryAfter)!,
    disableAfterFailures: w.disableAfterFailures,
    allowPrivateNetworks: w.allowPrivateNetworks,
    maxConcurrency: w.maxConcurrency,
    maxConcurrencyPerEndpoint: w.maxConcurrencyPerEndpoint,
    maxEndpoints: w.maxEndpoints,
    maxResponseBodyBytes: parseSize(w.maxResponseBody)!,
    rotationGraceMs: parseDuration(w.rotationGrace)!,
    deliveryRetentionMs: parseDuration(w.deliveryRetention)!,
    pollIntervalMs: parseDuration(w.pollInterval)!,
    safetyPollMs: parseDuration(w.safetyPoll)!,
  };
}

/**
 * The backend and its connection. A URL is refused unless the client is postgres (it would be
 * ignored), and checked as a URL here so that no later error quotes it: it may hold a password.
 */
function normalizeStorageClient(s: Raw['storage']): Pick<StorageConfig, 'client' | 'url' | 'pool' | 'statementTimeoutMs'> {
  const fail = (key: string, message: string) => errors.config(`invalid configuration:\n  storage.${key}: ${message}`, { problems: [{ key: `storage.${key}`, message }] });
  const url: string | undefined = s.url ?? undefined;
  if (s.client === 'postgres') {
    if (!url) throw fail('url', 'is required when storage.client is postgres (or set HOOKD_DATABASE_URL)');
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw fail('url', 'is not a URL: write postgres://user:password@host:5432/database');
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') throw fail('url', `must start with postgres:// or postgresql://, not ${protocol}//`);
    // The daemon holds one pooled connection in LISTEN for as long as it runs: with a pool of
    // one, every query would wait for a connection that never comes back.
    if (s.pool < 2) throw fail('pool', `must be at least 2 with postgres, not ${s.pool}: each daemon holds one connection to LISTEN for registry and stream changes`);
  } else if (url) {
    throw fail('url', 'is set (in the file or by HOOKD_DATABASE_URL) but storage.client is sqlite: set storage.client: postgres');
  }
  return { client: s.client, url, pool: s.pool, statementTimeoutMs: parseDuration(s.statementTimeout)! };
}

/** A lease must outlast a renewal round trip: under a second, busy daemons would lose their own. */
function normalizeLeaseTtl(value: number | string): number {
  const ms = parseDuration(value)!;
  if (ms < 1000) {
    const message = 'must be at least 1s (claims are renewed every third of it)';
    throw errors.config(`invalid configuration:\n  storage.leaseTtl: ${message}`, { problems: [{ key: 'storage.leaseTtl', message }] });
  }
  return ms;
}

const DEFAULT_MAX_CONNECTIONS = 1000;

/** Node refuses a headersTimeout above requestTimeout, and streams alone must not fill maxConnections. */
function normalizeServer(r: Raw['server'], maxStreams: number): ServerConfig {
  const fail = (key: string, message: string) => errors.config(`invalid configuration:\n  server.${key}: ${message}`, { problems: [{ key: `server.${key}`, message }] });
  const requestTimeoutMs = parseDuration(r.requestTimeout)!;
  const headersTimeoutMs = parseDuration(r.headersTimeout)!;
  // 0 would mean "no limit" to Node: a slow client could hold its connection for ever.
  if (requestTimeoutMs === 0) throw fail('requestTimeout', 'must be above 0');
  if (headersTimeoutMs === 0) throw fail('headersTimeout', 'must be above 0');
  if (headersTimeoutMs > requestTimeoutMs) throw fail('headersTimeout', `must be at most server.requestTimeout (${requestTimeoutMs} ms), not ${headersTimeoutMs} ms`);
  // Unset, it follows stream.maxClients: a config that allowed many streams stays valid.
  const maxConnections = r.maxConnections ?? Math.max(DEFAULT_MAX_CONNECTIONS, maxStreams + 100);
  if (maxConnections <= maxStreams) throw fail('maxConnections', `must be above stream.maxClients (${maxStreams}), not ${maxConnections}: open streams alone would fill it`);
  return {
    host: r.host,
    port: r.port,
    bodyLimit: parseSize(r.bodyLimit)!,
    shutdownTimeoutMs: parseDuration(r.shutdownTimeout)!,
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: parseDuration(r.keepAliveTimeout)!,
    maxConnections,
  };
}

export function normalizeConfig(raw: Raw, sources: string[], cwd: string): Config {
  const dataDir = resolve(cwd, raw.dataDir);
  return {
    server: normalizeServer(raw.server, raw.stream.maxClients),
    dataDir,
    log: { level: raw.log.level, pretty: raw.log.pretty },
    auth: { tokens: raw.auth.tokens },
    storage: {
      ...normalizeStorageClient(raw.storage),
      instance: raw.storage.instance,
      leaseTtlMs: normalizeLeaseTtl(raw.storage.leaseTtl),
      file: resolve(dataDir, raw.storage.file),
      synchronous: raw.storage.synchronous,
      maxSizeBytes: parseSize(raw.storage.maxSize)!,
      retention: {
        eventsMs: parseDuration(raw.storage.retention.events)!,
        pruneIntervalMs: parseDuration(raw.storage.retention.pruneInterval)!,
      },
    },
    metrics: { public: raw.metrics.public },
    events: { maxBatch: raw.events.maxBatch, pageSize: raw.events.pageSize, maxDepth: raw.events.maxDepth },
    hooks: normalizeHooks(raw.hooks, cwd),
    runtime: normalizeRuntime(raw.runtime),
    commands: normalizeCommands(raw.commands, cwd),
    progress: {
      coalesceWindowMs: parseDuration(raw.progress.coalesceWindow)!,
      maxKeys: raw.progress.maxKeys,
      latestTtlMs: parseDuration(raw.progress.latestTtl)!,
      maxLatestEntries: raw.progress.maxLatestEntries,
      maxEntryBytes: parseSize(raw.progress.maxEntrySize)!,
      maxLatestBytes: parseSize(raw.progress.maxLatestSize)!,
      rateLimit: raw.progress.rateLimit,
    },
    stream: {
      heartbeatMs: parseDuration(raw.stream.heartbeat)!,
      retryMs: parseDuration(raw.stream.retry)!,
      clientQueueLimit: raw.stream.clientQueueLimit,
      clientQueueBytes: parseSize(raw.stream.clientQueueBytes)!,
      replayLimit: raw.stream.replayLimit,
      maxClients: raw.stream.maxClients,
      maxClientsPerToken: raw.stream.maxClientsPerToken,
      queryToken: raw.stream.queryToken,
    },
    ui: {
      sessionTtlMs: parseDuration(raw.ui.sessionTtl)!,
      sessionIdleTimeoutMs: parseDuration(raw.ui.sessionIdleTimeout)!,
      secureCookie: raw.ui.secureCookie,
      replayMaxEvents: raw.ui.replayMaxEvents,
    },
    webhooks: normalizeWebhooks(raw.webhooks),
    secrets: raw.secrets,
    integrations: raw.integrations,
    // The *arr apps' own event types first: an entry of the same name in the config replaces one.
    catalog: { ...INTEGRATION_CATALOG, ...raw.catalog },
    sources,
  };
}
