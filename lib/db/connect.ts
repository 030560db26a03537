// Opens the database with knex, by storage.client. SQLite: one connection (SQLite serializes
// writers anyway), WAL journal, the configured fsync policy. PostgreSQL: a pool, a statement
// timeout, TCP keepalive and an application_name per connection, the client's own deadlines
// (pg-timeouts.ts). Migrations are applied on demand; transactions report the error that failed
// them (see reportRollbackCause).
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { makeDirectory } from '../make-directory.ts';
import { DIALECTS, type StorageClient } from './dialect.ts';
import { knexLogTo, type DbLog } from './knex-log.ts';
import { migrationSource } from './migrations/index.ts';
import { closeOnQueryTimeout, postgresTimeouts } from './pg-timeouts.ts';
import { finalizeStatements } from './sqlite-statements.ts';

export interface DatabaseOptions {
  /** Absent: sqlite. */
  client?: StorageClient;
  file: string;
  synchronous: 'full' | 'normal';
  /** The database file's largest size (SQLite's max_page_count); 0 or absent: the disk is the limit. */
  maxSizeBytes?: number;
  /** PostgreSQL's connection URL (postgres://user:password@host:port/db). */
  url?: string;
  /** PostgreSQL: the most connections open at once. */
  pool?: number;
  /** PostgreSQL: a statement running longer is cancelled (57014); 0: no limit. */
  statementTimeoutMs?: number;
  /** Where knex's own warnings go (the daemon's log); absent: dropped, never the console. */
  log?: DbLog;
}

interface RawConnection {
  exec: (sql: string, cb: (err: Error | null) => void) => void;
  get: (sql: string, cb: (err: Error | null, row: { page_size: number }) => void) => void;
}

export type Db = Knex;

export function openDatabase(options: DatabaseOptions): Db {
  const log = knexLogTo(options.log, options.url);
  return reportRollbackCause(options.client === 'postgres' ? knexFactory({ ...postgresConfig(options), log }) : finalizeBeforeClose(knexFactory({ ...sqliteConfig(options), log })));
}

/** What a daemon has sent to its database so far (hookd_storage_statements_total, _transactions_total). */
export interface StatementCounts {
  /** Statements, each a round trip: BEGIN and COMMIT included (not the listening connection's LISTEN, NOTIFY and heartbeat). */
  statements: number;
  /** Transactions: each BEGIN, and each statement outside one (it commits alone). */
  transactions: number;
}

/** Counts what knex sends on `db` from now on, so the database work per event is measured where it is spent. */
export function countStatements(db: Db): () => StatementCounts {
  const counts: StatementCounts = { statements: 0, transactions: 0 };
  db.on('query', (q: { sql?: string; __knexTxId?: string }) => {
    counts.statements += 1;
    if (q.__knexTxId === undefined || q.sql === 'BEGIN;') counts.transactions += 1;
  });
  return () => counts;
}

export const APPLICATION_NAME = 'hookd';

/** Where the data lives, for logs: a PostgreSQL URL without its password and query, or the SQLite file. */
export function describeStorage(options: Pick<DatabaseOptions, 'client' | 'file' | 'url'>): string {
  if (options.client !== 'postgres') return options.file;
  try {
    const u = new URL(options.url ?? '');
    if (u.password) u.password = '***';
    u.search = ''; // options=... may carry anything
    return u.toString();
  } catch {
    return 'postgres (URL not shown)';
  }
}

const POSTGRES_KEEPALIVE_IDLE_MS = 30_000;

function postgresConfig(options: DatabaseOptions): Knex.Config {
  if (!options.url) throw new Error('storage.url is required when storage.client is postgres');
  const timeouts = postgresTimeouts(options.statementTimeoutMs);
  return {
    client: DIALECTS.postgres.knexClient,
    // Set at connection start-up, so each pooled connection has them without a round trip.
    connection: {
      connectionString: options.url,
      application_name: APPLICATION_NAME,
      statement_timeout: options.statementTimeoutMs || undefined,
      // A pooled connection whose peer vanished silently (no FIN, no RST) is otherwise kept until
      // a statement on it hangs; the kernel probes one idle this long and drops it after its
      // probes go unanswered (Linux: 9 x 75 s). The listening connection has its own heartbeat.
      keepAlive: true,
      keepAliveInitialDelayMillis: POSTGRES_KEEPALIVE_IDLE_MS,
      query_timeout: timeouts.queryTimeoutMs,
      connectionTimeoutMillis: timeouts.connectTimeoutMs,
    } as Knex.PgConnectionConfig,
    acquireConnectionTimeout: timeouts.acquireTimeoutMs,
    pool: { min: 0, max: Math.max(1, options.pool ?? 10), afterCreate: closeOnQueryTimeout },
  };
}

function sqliteConfig(options: DatabaseOptions): Knex.Config {
  makeDirectory(dirname(options.file));
  return {
    client: DIALECTS.sqlite.knexClient,
    connection: { filename: options.file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: RawConnection, done: (err: Error | null, conn: unknown) => void) => {
        conn.exec(
          `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous.toUpperCase()}; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;`,
          (err) => (err || !options.maxSizeBytes ? done(err, conn) : capSize(conn, options.maxSizeBytes, (capErr) => done(capErr, conn))),
        );
      },
    },
  };
}

/** Past the cap a write fails with SQLITE_FULL, as on a full disk (the cap never shrinks a larger file). */
function capSize(conn: RawConnection, maxBytes: number, done: (err: Error | null) => void): void {
  conn.get('PRAGMA page_size', (err, row) => {
    if (err) return done(err);
    conn.exec(`PRAGMA max_page_count = ${Math.max(1, Math.floor(maxBytes / row.page_size))}`, done);
  });
}

/** SQLite refuses to close a connection with prepared statements left (SQLITE_BUSY): they are finalized first. */
function finalizeBeforeClose(db: Knex): Knex {
  const client = db.client as { destroyRawConnection: (connection: object) => Promise<void> };
  const destroy = client.destroyRawConnection.bind(client);
  client.destroyRawConnection = async (connection) => {
    await finalizeStatements(connection);
    await destroy(connection);
  };
  return db;
}

/**
 * SQLite rolls a transaction back by itself on SQLITE_FULL, IOERR, BUSY and NOMEM; knex's own
 * ROLLBACK then fails ("no transaction is active") and knex rejects with that error instead of
 * the one that caused it, so a full disk looked like a generic SQL error. This rethrows the cause.
 */
function reportRollbackCause(db: Knex): Knex {
  const transaction = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  Object.defineProperty(db, 'transaction', {
    configurable: true,
    value: (scope: unknown, config?: unknown) => {
      if (typeof scope !== 'function') return transaction(scope, config);
      let cause: unknown;
      const run = async (trx: Knex.Transaction) => {
        try {
          return await (scope as (trx: Knex.Transaction) => Promise<unknown>)(trx);
        } catch (err) {
          cause = err;
          throw err;
        }
      };
      return transaction(run, config).catch((err: unknown) => {
        throw cause ?? err;
      });
    },
  });
  return db;
}

/** Applies pending migrations; returns the names applied. */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** Migrations not applied yet, by name (readiness: none once `migrateLatest` has run). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  return pending.map((m) => (typeof m === 'string' ? m : String((m as { file?: unknown }).file ?? m)));
}
