// Storage failures as typed errors: SQLite's result codes, PostgreSQL's SQLSTATEs (and the file
// system's and the network's errno codes) that say the database itself cannot store anything right now, as opposed to one item that
// cannot be stored. The first answer 507 STORAGE_FULL or 503 STORAGE_UNAVAILABLE with a
// Retry-After; background writers retry them later instead of dropping what they owe.
import { errors, isHookdError, type HookdError } from '../errors.ts';

interface StorageRule {
  full: boolean;
  why: string;
  retryAfter: number;
  /**
   * The connection went away (or stopped answering) while a statement was in flight: the server
   * may have committed it, so the answer must not say that nothing was stored.
   */
  outcomeUnknown?: boolean;
}

// Decided per code: the condition is the database's or its disk's, never the item's, so the
// same write succeeds once it passes. SQLITE_CONSTRAINT, TOOBIG, MISMATCH and RANGE are the
// item's own and are absent on purpose; corruption is listed because no write can succeed
// until an operator acts, and a 503 says "not now" without blaming the client.
const RULES: Record<string, StorageRule> = {
  SQLITE_FULL: { full: true, why: 'the database or its disk is full', retryAfter: 30 },
  ENOSPC: { full: true, why: 'no space left on the disk', retryAfter: 30 },
  EDQUOT: { full: true, why: 'the disk quota is exhausted', retryAfter: 30 },
  SQLITE_IOERR: { full: false, why: 'a disk I/O error', retryAfter: 30 },
  EIO: { full: false, why: 'a disk I/O error', retryAfter: 30 },
  SQLITE_BUSY: { full: false, why: 'the database is busy', retryAfter: 1 },
  SQLITE_LOCKED: { full: false, why: 'the database is locked', retryAfter: 1 },
  SQLITE_PROTOCOL: { full: false, why: 'the database lock could not be taken', retryAfter: 1 },
  SQLITE_NOMEM: { full: false, why: 'the database ran out of memory', retryAfter: 5 },
  SQLITE_READONLY: { full: false, why: 'the database is read-only', retryAfter: 60 },
  EROFS: { full: false, why: 'the disk is read-only', retryAfter: 60 },
  SQLITE_CANTOPEN: { full: false, why: 'the database file cannot be opened', retryAfter: 60 },
  SQLITE_CORRUPT: { full: false, why: 'the database file is corrupt', retryAfter: 300 },
  SQLITE_NOTADB: { full: false, why: 'the database file is not a database', retryAfter: 300 },
  // The connection was closed under a query (the daemon is stopping).
  SQLITE_MISUSE: { full: false, why: 'the database is closed', retryAfter: 5 },
  // PostgreSQL, by SQLSTATE; 23xxx (constraints), 22xxx (data) and 42xxx (syntax) are the
  // item's or the code's own and absent on purpose, as SQLite's CONSTRAINT is.
  '53100': { full: true, why: 'the database server\'s disk is full', retryAfter: 30 },
  '53200': { full: false, why: 'the database server ran out of memory', retryAfter: 5 },
  '53300': { full: false, why: 'the database server has too many connections', retryAfter: 5 },
  '58030': { full: false, why: 'a disk I/O error on the database server', retryAfter: 30 },
  '40001': { full: false, why: 'the database is busy (a serialization failure)', retryAfter: 1 },
  '40P01': { full: false, why: 'the database is busy (a deadlock)', retryAfter: 1 },
  '55P03': { full: false, why: 'the database is locked', retryAfter: 1 },
  '57014': { full: false, why: 'a statement ran past storage.statementTimeout', retryAfter: 5 },
  '57P01': { full: false, why: 'the database server is shutting down', retryAfter: 5 },
  '57P02': { full: false, why: 'the database server is shutting down', retryAfter: 5 },
  '57P03': { full: false, why: 'the database server is not accepting connections yet', retryAfter: 5 },
  '25006': { full: false, why: 'the database is read-only', retryAfter: 60 },
  XX001: { full: false, why: 'the database is corrupt', retryAfter: 300 },
  XX002: { full: false, why: 'the database is corrupt', retryAfter: 300 },
  ECONNREFUSED: { full: false, why: 'the database server cannot be reached', retryAfter: 5 },
  ECONNRESET: { full: false, why: 'the connection to the database server was lost', retryAfter: 5, outcomeUnknown: true },
  ETIMEDOUT: { full: false, why: 'the database server cannot be reached', retryAfter: 5 },
  EHOSTUNREACH: { full: false, why: 'the database server cannot be reached', retryAfter: 5 },
};

/** PostgreSQL's connection_exception class (08xxx): the server is out of reach, not the item at fault. */
const PG_CONNECTION_LOST: StorageRule = { full: false, why: 'the connection to the database server was lost', retryAfter: 5 };

/**
 * node-postgres's errors without a code for a connection that is gone: closed under a query, or
 * already lost when a statement was to be sent (the next statement of a transaction whose
 * connection an admin or a failover ended). knex puts the statement before the message
 * ("BEGIN; - Connection terminated unexpectedly").
 */
const PG_CLIENT_LOST = /(?:^| - )(?:Connection terminated(?: unexpectedly)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)$/;

/**
 * node-postgres's own deadlines (lib/db/pg-timeouts.ts), errors without a code: no answer to a
 * statement within query_timeout, and a connection not opened within connectionTimeoutMillis
 * (pg-pool words it differently). The server stopped answering; the item is not at fault.
 */
const PG_READ_TIMEOUT = /(?:^| - )Query read timeout$/;
const PG_CONNECT_TIMEOUT = /(?:^| - )(?:timeout expired|Connection terminated due to connection timeout)$/;
const PG_NO_ANSWER: StorageRule = { full: false, why: 'the database server did not answer in time', retryAfter: 5, outcomeUnknown: true };
// A connection not opened in time: nothing was sent on it.
const PG_NO_CONNECTION: StorageRule = { full: false, why: 'the database server did not answer in time', retryAfter: 5 };
// Closed under a statement (whose commit may have happened), unlike one lost before a statement was sent.
const PG_CLOSED_UNDER = /(?:^| - )Connection terminated(?: unexpectedly)?$/;

/** A statement that met node-postgres's query_timeout (its connection is then not to be used again). */
export function isQueryReadTimeout(error: unknown): boolean {
  return error instanceof Error && PG_READ_TIMEOUT.test(error.message);
}

function ruleFor(error: unknown): StorageRule | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // node-sqlite3 reports primary codes; extended ones (SQLITE_IOERR_WRITE) share the prefix.
    const rule = RULES[code] ?? RULES[code.replace(/^(SQLITE_[A-Z]+?)_[A-Z_]+$/, '$1')];
    if (rule) return rule;
    if (/^08[0-9A-Z]{3}$/.test(code)) return PG_CONNECTION_LOST;
  }
  if (error instanceof Error && PG_CLIENT_LOST.test(error.message)) {
    return PG_CLOSED_UNDER.test(error.message) ? { ...PG_CONNECTION_LOST, outcomeUnknown: true } : PG_CONNECTION_LOST;
  }
  if (error instanceof Error && PG_READ_TIMEOUT.test(error.message)) return PG_NO_ANSWER;
  if (error instanceof Error && PG_CONNECT_TIMEOUT.test(error.message)) return PG_NO_CONNECTION;
  // knex's pool gave up waiting for a connection: every one was busy, or the server answered no new one.
  if ((error as { name?: unknown }).name === 'KnexTimeoutError') return { full: false, why: 'the database did not answer in time: no connection came free', retryAfter: 5 };
  return undefined;
}

/** The typed error for a storage failure (unchanged if already typed), or undefined for any other error. */
export function toStorageError(error: unknown): HookdError | undefined {
  if (isHookdError(error)) return error.code === 'STORAGE_FULL' || error.code === 'STORAGE_UNAVAILABLE' ? error : undefined;
  const rule = ruleFor(error);
  if (!rule) return undefined;
  return rule.full ? errors.storageFull(rule.retryAfter, error) : errors.storageUnavailable(rule.why, rule.retryAfter, error, rule.outcomeUnknown);
}

/** What a storage failure means, in words, with its code ("the database or its disk is full (SQLITE_FULL)"); undefined for other errors. */
export function describeStorageFailure(error: unknown): string | undefined {
  const rule = ruleFor(error);
  if (!rule) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${rule.why} (${code})` : rule.why;
}

/** A unique key refused the row (SQLite's UNIQUE constraint, PostgreSQL's 23505): the item's own conflict. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === '23505') return true;
  return code === 'SQLITE_CONSTRAINT' && typeof message === 'string' && /UNIQUE constraint failed|PRIMARY KEY/.test(message);
}
