// The client's own deadlines on PostgreSQL, for a server that stops answering without closing (a
// partition, a failover whose old address vanished): storage.statementTimeout is the server's and
// cannot fire then, so without these a request waited as long as the kernel kept the socket. And a
// connection whose statement went unanswered is closed, never handed out again (see below).
import { isQueryReadTimeout } from './storage-errors.ts';

/**
 * A statement is awaited this long past storage.statementTimeout: a server that is there cancels
 * it first (57014, the connection stays usable), so only a server that does not answer meets it.
 */
const QUERY_TIMEOUT_MARGIN_MS = 2_000;
/** A connection (TCP, TLS, authentication) opens in milliseconds on a server that answers. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * How long a statement waits for a pool connection, knex's default 60 s lowered: clients give up
 * on a request long before that (server.requestTimeout, the time one may take to arrive, is 30 s
 * by default), so the 503 comes while they still wait. Above CONNECT_TIMEOUT_MS, so a connect that
 * failed is reported as that rather than as a wait.
 */
const ACQUIRE_TIMEOUT_MS = 10_000;

export interface PostgresTimeouts {
  /** pg's query_timeout ('Query read timeout'); undefined with storage.statementTimeout 0 (no limit asked). */
  queryTimeoutMs: number | undefined;
  /** pg's connectionTimeoutMillis ('timeout expired'). */
  connectTimeoutMs: number;
  /** knex's acquireConnectionTimeout (KnexTimeoutError). */
  acquireTimeoutMs: number;
}

/** The deadlines for a storage.statementTimeout (0: none for statements, the others still hold). */
export function postgresTimeouts(statementTimeoutMs: number | undefined): PostgresTimeouts {
  return {
    queryTimeoutMs: statementTimeoutMs ? statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS : undefined,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    acquireTimeoutMs: ACQUIRE_TIMEOUT_MS,
  };
}

type QueryCallback = (err: unknown, result?: unknown) => void;

interface PgClient {
  query(...args: unknown[]): unknown;
  end(): Promise<void>;
  /** knex's mark of a broken connection: its pool then destroys it instead of handing it out. */
  __knex__disposed?: unknown;
}

/**
 * Closes a pooled connection that cannot be trusted (a statement unanswered, a heartbeat missed)
 * and marks it broken, so that knex's pool destroys it instead of handing it out again. With a
 * statement still active pg destroys the socket rather than wait for an answer that may never come.
 */
export function disposeConnection(conn: Pick<PgClient, 'end' | '__knex__disposed'>, reason: unknown): void {
  conn.__knex__disposed ??= reason;
  conn.end().catch(() => {});
}

/**
 * The pool's afterCreate: a connection whose statement met query_timeout is closed at once and
 * marked broken. node-postgres still waits for that statement's answer and drops the ROLLBACK it
 * could not send meanwhile, so once the server answered again the connection went back to the
 * pool inside the failed transaction: later writes on it were acknowledged and never committed.
 * Closed, the server rolls that transaction back. Every statement passes here, knex's own
 * (callback) and pg-statements.ts' (promise).
 */
export function closeOnQueryTimeout(conn: PgClient, done: (err: Error | null, conn: PgClient) => void): void {
  const query = conn.query;
  const close = (err: unknown) => {
    if (isQueryReadTimeout(err)) disposeConnection(conn, err);
  };
  conn.query = function (this: PgClient, ...args: unknown[]) {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (err: unknown, result?: unknown) => {
        close(err);
        (callback as QueryCallback)(err, result);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (!(result instanceof Promise)) return result; // a submittable: its own events report it
    return result.catch((err: unknown) => {
      close(err);
      throw err;
    });
  };
  done(null, conn);
}
