// The composition root: builds every part from the config in dependency order (webhooks and
// dispatch, then the event service that uses both, then the API app), starts listening, and stops
// gracefully in the order of daemon/shutdown.ts: producers first (HTTP within a bound, hooks dir,
// dispatch, webhooks), then the event service's background writes and writer, the database last.
// A start that fails half-way releases, in that order, what it had started. Its larger pieces are in lib/daemon/.
import type pino from 'pino';
import { createAuthenticator } from './api/auth.ts';
import { createHttpServer } from './api/http-server.ts';
import { createSessions } from './api/sessions.ts';
import { createBus } from './bus.ts';
import { createCatalog } from './catalog.ts';
import { settingName, type Config, type TokenConfig } from './config/index.ts';
import { countStatements, describeStorage } from './db/connect.ts';
import { createDeliveriesStore } from './db/deliveries-store.ts';
import { followDueDeliveries } from './db/deliveries-notify.ts';
import { createEventsStore } from './db/events-store.ts';
import { createHooksStore } from './db/hooks-store.ts';
import { createSessionsStore } from './db/sessions-store.ts';
import { createTokensStore } from './db/tokens-store.ts';
import { createWebhooksStore } from './db/webhooks-store.ts';
import { createCommandRunner } from './commands/index.ts';
import { createDaemonApp } from './daemon/api-app.ts';
import { createDaemonLog, logGeneratedToken, resolveTokens } from './daemon/daemon-log.ts';
import { createDaemonReadiness } from './daemon/daemon-readiness.ts';
import { closeHttpServer, listenHttp } from './daemon/http-listen.ts';
import { createPeerLink } from './daemon/peer-link.ts';
import { followRegistry } from './daemon/registry-follow.ts';
import { startPruning } from './daemon/pruning.ts';
import { createShutdown, type Shutdown } from './daemon/shutdown.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { commandRunsDir } from './data-dir-paths.ts';
import { makeDataDir } from './data-dir.ts';
import type { HiddenCredentials } from './hide-credentials.ts';
import { createDispatch } from './dispatch/index.ts';
import { createEnvGrants } from './env-grants.ts';
import { createSandboxFromConfig } from './sandbox.ts';
import { createHooksDir, makeHooksDir, type SyncReport } from './hooks-dir/index.ts';
import { createHookProgressPublisher } from './progress/hook-progress.ts';
import { createRateLimiter } from './progress/rate-limit.ts';
import { createEventService } from './events/index.ts';
import { describeInstance } from './instance.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics/index.ts';
import { openStorage } from './open-storage.ts';
import { createProgress } from './progress/index.ts';
import { createStreamHub } from './progress/stream-hub.ts';
import { READINESS_CHECK_TIMEOUT_MS } from './readiness/index.ts';
import { createWebhooks } from './webhooks/index.ts';

export interface DaemonOptions {
  /** Where log lines go (tests); stdout when absent. */
  logDestination?: pino.DestinationStream;
  /** What `hookd serve` erased from the process environment before loading the config, to log it. */
  hiddenCredentials?: Pick<HiddenCredentials, 'hidden' | 'problem'>;
  /** `hookd serve --pid-file`: written once this daemon holds the data dir, removed at the stop. */
  pidFile?: string;
}

export interface Daemon {
  readonly log: Logger;
  readonly url: string;
  /** Resolves when dispatch has nothing pending or in flight and no background write is owed (tests use it to wait). */
  idle(): Promise<void>;
  stop(): Promise<void>;
  /** What a config reload changes while it runs (lib/daemon/config-reload.ts): the log's level... */
  setLogLevel(level: string): void;
  /** ...the configured API tokens (none: the generated admin token, as at the start); resolves once the streams they no longer allow have ended... */
  setTokens(tokens: readonly TokenConfig[]): Promise<void>;
  /** ...and the hooks directory, synced once more. */
  resyncHooksDir(): Promise<SyncReport>;
}

export async function startDaemon(config: Config, options: DaemonOptions = {}): Promise<Daemon> {
  // First of all: a second daemon on this data dir must not reap the first's command runs.
  const dataDirSetting = settingName('dataDir', config.setByEnv);
  makeDataDir(config.dataDir, dataDirSetting);
  const lock = acquireDataDirLock(config.dataDir, { pidFile: options.pidFile, setting: dataDirSetting });
  const shutdown = createShutdown();
  shutdown.add('lock', () => lock.release());
  try {
    return await startWithLock(config, options, shutdown);
  } catch (error) {
    // What this start had started, released as at a stop; the start's failure is the one to report.
    await shutdown.run().catch(() => {});
    throw error;
  }
}

async function startWithLock(config: Config, options: DaemonOptions, shutdown: Shutdown): Promise<Daemon> {
  // The tokens first (a generated admin token included), so the log redacts them.
  const { log, tokens, redactTokens } = createDaemonLog({ config, destination: options.logDestination, hiddenCredentials: options.hiddenCredentials });
  // Every hook kind gets only the variables it names (secrets first, then the environment),
  // never HOOKD_* and never a value that is one of the daemon's credentials (every token it has
  // known: one a reload removed may still be held by someone, and stays refused and redacted).
  const tokenValues = new Set(tokens.map((t) => t.token));
  const envGrants = createEnvGrants({ secrets: config.secrets, env: process.env, credentials: tokenValues });
  // Made before the database, as the commands below are built: a hooks directory the daemon
  // cannot make or read, or a commands.user or commands.tracking it cannot honour, is a config
  // error before anything is opened.
  makeHooksDir(config.hooks.dir, settingName('hooks.dir', config.setByEnv));
  const commands = createCommandRunner({
    config: config.commands,
    log,
    envGrants,
    path: process.env.PATH,
    stateDir: commandRunsDir(config.dataDir),
  });
  shutdown.add('processes', () => commands.close());
  const containment = commands.describe();
  if (containment.tracking === 'proc') log.info(containment, 'command runs are tracked through the process table, not a cgroup');
  const bus = createBus();
  const progress = createProgress({ bus, config: config.progress, maxDepth: config.events.maxDepth });
  const { sandbox, compiler } = createSandboxFromConfig({
    config: config.runtime,
    dataDir: config.dataDir,
    log,
    onHookEvent: createHookProgressPublisher({ publish: progress.publish, log }),
  });
  // The host process (node, its pools, a warm worker) starts while this one opens the
  // database and compiles the hooks directory: neither needs the other.
  const hostStarted = sandbox.start();
  hostStarted.catch(() => {}); // awaited before listening
  shutdown.add('streams', () => progress.stop());
  shutdown.add('processes', () => sandbox.close());
  shutdown.add('processes', () => compiler.close());
  const { db, tightened } = await openStorage(config, log);
  shutdown.add('storage', () => db.destroy());
  for (const path of tightened) {
    log.warn({ path }, 'the data directory was readable by other users: its permissions were restricted to the daemon\'s user');
  }
  await commands.start(); // command processes a crashed daemon left running

  const auth = createAuthenticator({ tokens, store: createTokensStore(db) });
  const sessions = createSessions({
    store: createSessionsStore(db),
    findByDigest: auth.findByDigest,
    config: { ttlMs: config.ui.sessionTtlMs, idleTimeoutMs: config.ui.sessionIdleTimeoutMs, secureCookie: config.ui.secureCookie },
  });
  // Every route but /integrations (HTTP Basic or Bearer only) also takes the session cookie.
  const authenticate = sessions.authenticate(auth.authenticate);

  const catalog = createCatalog(config.catalog);
  const catalogTypes = catalog.list().map((t) => t.name);
  // What a hook may hand back to be stored (a filter's output, an emitted event's payload).
  const payloadLimits = { maxDepth: config.events.maxDepth, maxBytes: config.runtime.maxResultBytes };
  const streams = createStreamHub({ bus, config: config.stream });
  shutdown.add('streams', () => streams.stop());
  // Its leases' name when several daemons share a PostgreSQL database.
  const instance = describeInstance(config.storage);
  // Several daemons on one database: one listening connection each (registry changes, the live
  // stream, who has stream clients); each one's live stream reaches the others' /stream clients.
  const peers = createPeerLink({ db, instance, bus, remember: progress.remember, clients: () => streams.stats().clients, onError: (err, what) => log.warn({ err }, what) });
  const events = createEventsStore(db);
  // What other parts already count or store is read when Prometheus scrapes (the stores, the
  // sandbox, /stats' counters); the parts built below are handed only their observe ports.
  const metrics = createMetrics({
    catalogTypes,
    hookNames: createHooksStore(db).listNames,
    countOwedEvents: events.countPending,
    webhookIds: createWebhooksStore(db).listIds,
    countBacklog: createDeliveriesStore(db).countBacklog,
    sandbox: { stats: sandbox.stats, ping: sandbox.ping, pingTimeoutMs: READINESS_CHECK_TIMEOUT_MS },
    progressStats: progress.stats,
    streamStats: streams.stats,
    fanoutStats: peers?.fanoutStats,
    storageStatements: config.storage.client === 'postgres' ? countStatements(db) : undefined,
    instanceLabel: instance.label,
  });
  const webhooks = createWebhooks({
    db,
    log,
    catalog,
    config: config.webhooks,
    instance,
    observeAttempt: metrics.observeWebhookAttempt,
  });
  shutdown.add('producers', () => webhooks.stop());
  // Several daemons on one database: deliveries made claimable anywhere wake this one's sender.
  if (peers) followDueDeliveries({ listener: peers.listener, onDue: webhooks.notified });
  const dispatch = createDispatch({
    db,
    events,
    catalog,
    log,
    sandbox,
    compiler,
    hooksConfig: config.hooks,
    runtimeConfig: config.runtime,
    payloadLimits,
    envGrants,
    integrations: config.integrations,
    instance,
    invokerExtras: { runCommand: commands.run },
    checkCommand: commands.check,
    metrics,
  });
  shutdown.add('producers', () => dispatch.stop());
  await dispatch.load();
  const hooksDir = createHooksDir({
    dir: config.hooks.dir,
    watch: config.hooks.watch,
    debounceMs: config.hooks.watchDebounceMs,
    store: dispatch.hooks,
    definitions: dispatch.definitions,
    registry: dispatch.registry,
    compiler,
    maxSourceBytes: config.runtime.maxSourceBytes,
    log,
  });
  shutdown.add('producers', () => hooksDir.stop());
  // Both settled before going on: released while still starting, either could leave something open.
  for (const started of await Promise.allSettled([hostStarted, hooksDir.start()])) {
    if (started.status === 'rejected') throw started.reason;
  }
  // The event service stores through the outbox and hands events to dispatch; what dispatch
  // and webhooks raise in turn reaches it through their subscriptions, so nothing is used
  // before it is built.
  const eventService = createEventService({
    db,
    store: events,
    catalog,
    bus,
    log,
    outbox: { enqueueDeliveries: webhooks.enqueueDeliveries, subscribes: webhooks.subscribes },
    dispatch: {
      hasActionHooks: (type) => dispatch.registry.hasActionHooks(type),
      hasFilterHooks: (type) => dispatch.registry.forEvent(type, 'filter').length > 0,
      runFilterChain: (event) => dispatch.filtering.runFilterChain(event),
      submit: (stored) => dispatch.dispatcher.submit(stored),
    },
    progress: {
      publish: progress.publish,
      maxBytes: config.progress.maxEntryBytes,
      limit: config.progress.rateLimit > 0
        ? { limiter: createRateLimiter(config.progress.rateLimit), ratePerSecond: config.progress.rateLimit }
        : undefined,
    },
    emits: { maxDepth: config.hooks.maxEmitDepth, payloadLimits },
  });
  shutdown.add('events', () => eventService.close());
  dispatch.onHookRun(eventService.hookRan);
  webhooks.onNotice(eventService.raise);

  let stopping = false;
  const readiness = createDaemonReadiness({ db, sandbox, dataDir: config.dataDir, client: config.storage.client, isStopping: () => stopping });
  const app = createDaemonApp({
    config, log, authenticate, identify: auth.identify, sessions, readiness, isStopping: () => stopping, instance, metrics,
    catalog, catalogTypes, payloadLimits, events, eventService, dispatch, webhooks, compiler, streams, progress, announce: peers?.announce,
  });

  // Several daemons on one database: hooks and webhooks changed through another reach this one.
  const registryWatch = peers ? followRegistry({ db, listener: peers.listener, log, registry: dispatch.registry, webhooks }) : undefined;
  const pruning = await startPruning({
    log,
    intervalMs: config.storage.retention.pruneIntervalMs,
    tasks: [
      { name: 'events', prune: (now) => events.pruneBefore(now - config.storage.retention.eventsMs) },
      { name: 'sessions', prune: (now) => sessions.pruneExpired(now) },
      ...webhooks.pruneTasks,
      ...dispatch.pruneTasks,
    ],
  });
  shutdown.add('producers', () => pruning.stop());

  if (peers) {
    await peers.start(); // every channel is followed by now
    shutdown.add('peers', () => peers.stop()); // stream relay and fan-out, presence, the listening connection
  }

  const server = createHttpServer({ handle: app.callback(), config: config.server, log });
  const url = await listenHttp(server, config.server, config.setByEnv);
  shutdown.add('http', async () => {
    log.info('stopping: finishing in-flight requests');
    await closeHttpServer(server, config.server.shutdownTimeoutMs);
  });
  log.info({ url, dataDir: config.dataDir, storage: describeStorage(config.storage), instance: instance.id, config: config.sources }, 'hookd listening');
  await dispatch.resume(); // filter chains and action hooks left unfinished by the last stop
  await webhooks.start(); // deliveries left owed by the last stop or crash
  if (registryWatch) {
    await registryWatch.start();
    shutdown.add('producers', () => registryWatch.stop());
  }

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    await shutdown.run();
    log.info('stopped');
    log.flush?.();
  }

  /** Idle when dispatch has nothing queued or in flight and no background write is owed; each can start the other. */
  async function idle(): Promise<void> {
    do {
      await dispatch.dispatcher.idle();
      await eventService.idle();
    } while (dispatch.dispatcher.busy() || eventService.busy());
  }

  async function setTokens(configured: readonly TokenConfig[]): Promise<void> {
    const { tokens: known, generated } = resolveTokens({ auth: { tokens: [...configured] }, dataDir: config.dataDir, setByEnv: config.setByEnv });
    if (generated) logGeneratedToken(log, generated);
    // Redacted and never granted to a hook before the first request can present it.
    for (const t of known) tokenValues.add(t.token);
    redactTokens(known);
    auth.setTokens(known);
    await streams.recheck(); // authenticated once, when they opened: a removed token's streams end now
  }

  return {
    log,
    url,
    idle,
    stop,
    setLogLevel: (level) => void (log.level = level),
    setTokens,
    resyncHooksDir: () => hooksDir.sync(),
  };
}

