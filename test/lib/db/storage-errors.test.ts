// Storage failures as typed errors: each SQLite, PostgreSQL (and file system) condition that is
// the storage's, not the item's, maps to STORAGE_FULL (507) or STORAGE_UNAVAILABLE (503) with a
// Retry-After, a deadline the database did not answer within among them; the item's own errors
// are left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toStorageError } from '../../../lib/db/storage-errors.ts';
import { errors } from '../../../lib/errors.ts';

const sqliteError = (code: string) => Object.assign(new Error(`${code}: something`), { code });

const cases: Array<[string, unknown, string | undefined, number | undefined]> = [
  ['SQLITE_FULL', sqliteError('SQLITE_FULL'), 'STORAGE_FULL', 507],
  ['ENOSPC', sqliteError('ENOSPC'), 'STORAGE_FULL', 507],
  ['SQLITE_IOERR', sqliteError('SQLITE_IOERR'), 'STORAGE_UNAVAILABLE', 503],
  ['an extended code (SQLITE_IOERR_WRITE)', sqliteError('SQLITE_IOERR_WRITE'), 'STORAGE_UNAVAILABLE', 503],
  ['SQLITE_BUSY', sqliteError('SQLITE_BUSY'), 'STORAGE_UNAVAILABLE', 503],
  ['SQLITE_LOCKED', sqliteError('SQLITE_LOCKED'), 'STORAGE_UNAVAILABLE', 503],
  ['SQLITE_READONLY', sqliteError('SQLITE_READONLY'), 'STORAGE_UNAVAILABLE', 503],
  ['SQLITE_CANTOPEN', sqliteError('SQLITE_CANTOPEN'), 'STORAGE_UNAVAILABLE', 503],
  ['SQLITE_CORRUPT', sqliteError('SQLITE_CORRUPT'), 'STORAGE_UNAVAILABLE', 503],
  ['knex pool timeout', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }), 'STORAGE_UNAVAILABLE', 503],
  ['SQLITE_CONSTRAINT is the item\'s', sqliteError('SQLITE_CONSTRAINT'), undefined, undefined],
  ['SQLITE_TOOBIG is the item\'s', sqliteError('SQLITE_TOOBIG'), undefined, undefined],
  ['PostgreSQL disk_full (53100)', sqliteError('53100'), 'STORAGE_FULL', 507],
  ['PostgreSQL too_many_connections (53300)', sqliteError('53300'), 'STORAGE_UNAVAILABLE', 503],
  ['PostgreSQL deadlock (40P01)', sqliteError('40P01'), 'STORAGE_UNAVAILABLE', 503],
  ['PostgreSQL statement timeout (57014)', sqliteError('57014'), 'STORAGE_UNAVAILABLE', 503],
  ['PostgreSQL admin_shutdown (57P01)', sqliteError('57P01'), 'STORAGE_UNAVAILABLE', 503],
  ['a PostgreSQL connection exception (08006)', sqliteError('08006'), 'STORAGE_UNAVAILABLE', 503],
  ['the server refusing connections (ECONNREFUSED)', sqliteError('ECONNREFUSED'), 'STORAGE_UNAVAILABLE', 503],
  ['ECONNRESET', sqliteError('ECONNRESET'), 'STORAGE_UNAVAILABLE', 503],
  ['node-postgres losing its connection', new Error('Connection terminated unexpectedly'), 'STORAGE_UNAVAILABLE', 503],
  ['the same under a knex statement', new Error('BEGIN; - Connection terminated unexpectedly'), 'STORAGE_UNAVAILABLE', 503],
  ['a statement on a connection already lost (never sent)', new Error('select * from "events" - Client has encountered a connection error and is not queryable'), 'STORAGE_UNAVAILABLE', 503],
  ['a statement on a closed connection', new Error('Client was closed and is not queryable'), 'STORAGE_UNAVAILABLE', 503],
  ['a statement unanswered past query_timeout', new Error('Query read timeout'), 'STORAGE_UNAVAILABLE', 503],
  ['a read timeout under a knex statement', new Error('insert into "events" ("id") values ($1) - Query read timeout'), 'STORAGE_UNAVAILABLE', 503],
  ['a connection not opened within connectionTimeoutMillis', new Error('timeout expired'), 'STORAGE_UNAVAILABLE', 503],
  ['the same from pg-pool', new Error('Connection terminated due to connection timeout'), 'STORAGE_UNAVAILABLE', 503],
  ['an error that only mentions a read timeout', new Error('the hook said: Query read timeout, and more'), undefined, undefined],
  ['an error that only mentions a lost connection', new Error('the hook said: Connection terminated unexpectedly, and more'), undefined, undefined],
  ['PostgreSQL unique_violation (23505) is the item\'s', sqliteError('23505'), undefined, undefined],
  ['PostgreSQL value too long (22001) is the item\'s', sqliteError('22001'), undefined, undefined],
  ['a plain error', new Error('boom'), undefined, undefined],
  ['a HookdError that is not storage', errors.validation('x'), undefined, undefined],
  ['not an object', 'SQLITE_FULL', undefined, undefined],
];

/** The cases where the database did not answer within one of the client's deadlines. */
const timedOut = new Set(['knex pool timeout', 'a statement unanswered past query_timeout', 'a read timeout under a knex statement', 'a connection not opened within connectionTimeoutMillis', 'the same from pg-pool']);

/** The connection went away, or stopped answering, under a statement that may have committed. */
const outcomeUnknown = new Set(['node-postgres losing its connection', 'the same under a knex statement', 'a statement unanswered past query_timeout', 'a read timeout under a knex statement', 'ECONNRESET']);

for (const [name, error, code, status] of cases) {
  test(`${name} -> ${code ?? 'not a storage failure'}`, () => {
    const typed = toStorageError(error);
    assert.equal(typed?.code, code);
    assert.equal(typed?.status, status);
    if (typed) {
      assert.equal(typed.expose, true, 'the client is told what happened');
      assert.ok((typed.details as { retryAfter: number }).retryAfter >= 1, 'with a Retry-After');
      assert.equal(typed.cause, error);
      assert.equal(toStorageError(typed), typed, 'typing twice changes nothing');
      if (timedOut.has(name)) assert.match(typed.message, /did not answer in time/, 'the message says the database did not answer');
      if (typed.code === 'STORAGE_UNAVAILABLE') {
        if (outcomeUnknown.has(name)) assert.match(typed.message, /whether this was stored is not known/, 'a commit may have happened: not "nothing was stored"');
        else assert.match(typed.message, /so nothing was stored/);
      }
    }
  });
}
