// The composition root: builds every part from the config, starts listening, and stops
// gracefully (stop accepting, finish in-flight requests within a bound, close the database).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type pino from 'pino';
import { createAuthenticator, type KnownToken } from './api/auth.ts';
import { createApp } from './api/app.ts';
import { createCatalogRouter } from './api/catalog-router.ts';
import { createEventsRouter } from './api/events-router.ts';
import { createBus } from './bus.ts';
import { createCatalog } from './catalog.ts';
import type { Config } from './config/index.ts';
import { migrateLatest, openDatabase } from './db/connect.ts';
import { createEventWriter } from './db/event-writer.ts';
import { createEventsStore } from './db/events-store.ts';
import { createTokensStore } from './db/tokens-store.ts';
import { createDispatcher } from './dispatch/dispatcher.ts';
import { createIngest } from './ingest.ts';
import { createLogger, type Logger } from './log.ts';
import { createPruner } from './retention.ts';
import { ensureAdminTokenFile } from './tokens.ts';

export interface DaemonOptions {
  /** Where log lines go (tests); stdout when absent. */
  logDestination?: pino.DestinationStream;
}

export interface Daemon {
  readonly log: Logger;
  readonly url: string;
  /** Resolves when dispatch has nothing pending or in flight (tests use it to wait). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDaemon(config: Config, options: DaemonOptions = {}): Promise<Daemon> {
  const log = createLogger({ ...config.log, destination: options.logDestination });
  const db = openDatabase(config.storage);
  await migrateLatest(db);

  const tokensStore = createTokensStore(db);
  const tokens: KnownToken[] = [...config.auth.tokens];
  if (tokens.length === 0) {
    const admin = ensureAdminTokenFile(config.dataDir);
    tokens.push({ name: 'admin (generated)', token: admin.token, scopes: ['admin'] });
    log.info({ file: admin.file, created: admin.created }, 'no tokens configured: the admin token is in this file');
  }
  const auth = createAuthenticator({ tokens, store: tokensStore });

  const catalog = createCatalog(config.catalog);
  const bus = createBus();
  const events = createEventsStore(db);
  const writer = createEventWriter({ store: events });
  const dispatcher = createDispatcher({ db, events, log, concurrency: 8, stages: {} });
  const ingest = createIngest({ catalog, writer, bus, onStored: () => dispatcher.wake() });

  let stopping = false;
  const app = createApp({
    log,
    authenticate: auth.authenticate,
    isHealthy: () => !stopping,
    routers: [
      createEventsRouter({
        ingest,
        events,
        bodyLimit: config.server.bodyLimit,
        maxBatch: config.events.maxBatch,
        pageSize: config.events.pageSize,
      }),
      createCatalogRouter({ catalog }),
    ],
  });

  const pruner = createPruner({
    log,
    tasks: [{ name: 'events', prune: (now) => events.pruneBefore(now - config.storage.retention.eventsMs) }],
  });
  await pruner.pruneOnce();
  const pruneTimer = setInterval(() => void pruner.pruneOnce(), config.storage.retention.pruneIntervalMs);
  pruneTimer.unref();

  const server = createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  server.listen(config.server.port, config.server.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info({ url, dataDir: config.dataDir, config: config.sources }, 'hookd listening');
  dispatcher.wake(); // events left pending by the last stop

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info('stopping: finishing in-flight requests');
    clearInterval(pruneTimer);
    await closeServer(server, config.server.shutdownTimeoutMs);
    await writer.drain();
    await dispatcher.stop();
    await db.destroy();
    log.info('stopped');
    log.flush?.();
  }

  return { log, url, idle: () => dispatcher.idle(), stop };
}

/** Stops accepting, lets in-flight requests finish, and cuts what is left after the bound. */
async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
}
