// A database that cannot be reached or opened, described in one line: the server or file, the
// setting that names it, the driver's reason and what to check, never the URL's password; any
// other error (a migration's SQL, a bug) is left alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeOpenFailure, type StorageTarget } from '../../../lib/db/open-failure.ts';

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });
const URL_WITH_PASSWORD = 'postgres://bob:s3cret%2Fpw@db.example:6543/hookd?sslmode=require';
const postgres: StorageTarget = { client: 'postgres', file: '/data/hookd.sqlite', url: URL_WITH_PASSWORD, setByEnv: { 'storage.url': 'HOOKD_DATABASE_URL' } };
const sqlite: StorageTarget = { client: 'sqlite', file: '/data/hookd.sqlite' };

describe('describeOpenFailure', () => {
  // The last column: the code, so the exit status (STORAGE_UNAVAILABLE exit 1, a runtime failure;
  // CONFIG exit 2, a setting or path the operator must change, as for every path made at start).
  const described: Array<[string, StorageTarget, unknown, RegExp, 'STORAGE_UNAVAILABLE' | 'CONFIG']> = [
    ['a refused connection', postgres, coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6543'), /^cannot connect to PostgreSQL at db\.example:6543, database "hookd" as user "bob" \(storage\.url from HOOKD_DATABASE_URL\): connect ECONNREFUSED 10\.0\.0\.1:6543; check that the server runs/, 'STORAGE_UNAVAILABLE'],
    ['an unknown host', postgres, coded('ENOTFOUND', 'getaddrinfo ENOTFOUND db.example'), /ENOTFOUND db\.example; check the host name$/, 'STORAGE_UNAVAILABLE'],
    ['a missing role (28000)', postgres, coded('28000', 'role "bob" does not exist'), /: role "bob" does not exist; check the user name/, 'STORAGE_UNAVAILABLE'],
    ['a wrong password (28P01)', postgres, coded('28P01', 'password authentication failed for user "bob"'), /password authentication failed for user "bob"; check the user name and password/, 'STORAGE_UNAVAILABLE'],
    ['a missing database (3D000)', postgres, coded('3D000', 'database "hookd" does not exist'), /database "hookd" does not exist; create the database/, 'STORAGE_UNAVAILABLE'],
    ['a connection exception (08006)', postgres, coded('08006', 'connection failure'), /: connection failure; check the server/, 'STORAGE_UNAVAILABLE'],
    ['no connection in time (knex)', postgres, Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }), /Timeout acquiring a connection\.; check the host and port/, 'STORAGE_UNAVAILABLE'],
    ['storage.url from the file', { ...postgres, setByEnv: undefined }, coded('ECONNREFUSED', 'connect ECONNREFUSED'), /\(storage\.url\): /, 'STORAGE_UNAVAILABLE'],
    ['a file that is not a database', sqlite, coded('SQLITE_NOTADB', 'SQLITE_NOTADB: file is not a database'), /^cannot open the SQLite database \/data\/hookd\.sqlite \(storage\.file\): SQLITE_NOTADB: file is not a database; it is not a hookd database/, 'CONFIG'],
    ['an extended SQLite code', sqlite, coded('SQLITE_IOERR_SHORT_READ', 'SQLITE_IOERR: disk I/O error'), /disk I\/O error; the disk reports I\/O errors/, 'STORAGE_UNAVAILABLE'],
    ['a directory it may not write', sqlite, coded('EACCES', "EACCES: permission denied, mkdir '/data'"), /^cannot open the SQLite database \/data\/hookd\.sqlite \(storage\.file\): EACCES: permission denied; the daemon's user may not write there: change the permissions, or set storage\.file to another path$/, 'CONFIG'],
    ['a path through a file', sqlite, coded('ENOTDIR', "ENOTDIR: not a directory, open '/data/hookd.sqlite'"), /; a part of its path is a file, not a directory: set storage\.file to another path$/, 'CONFIG'],
    ['a full disk', sqlite, coded('ENOSPC', "ENOSPC: no space left on device, open '/data/hookd.sqlite'"), /: ENOSPC: no space left on device; free space on its disk$/, 'STORAGE_UNAVAILABLE'],
  ];
  for (const [what, target, error, line, code] of described) {
    test(`${what}: one line naming the setting (${code})`, () => {
      const out = describeOpenFailure(error, target);
      assert.ok(out, 'described');
      assert.match(out.message, line);
      assert.equal(out.code, code);
      assert.equal(out.cause, error);
      assert.ok(!out.message.includes('\n'));
    });
  }

  test('the password never appears, even when the reason quotes it, raw or percent-encoded', () => {
    for (const quoted of ['s3cret/pw', 's3cret%2Fpw']) {
      const out = describeOpenFailure(coded('08001', `cannot use ${quoted}\n  at somewhere`), postgres);
      assert.ok(out);
      assert.ok(!out.message.includes('s3cret'), out.message);
      assert.ok(!out.message.includes('sslmode'), 'the query is not shown');
    }
  });

  const left: Array<[string, StorageTarget, unknown]> = [
    ['a plain error (a bug keeps its stack)', postgres, new Error('boom')],
    ['a migration\'s SQL error (42601)', postgres, coded('42601', 'syntax error at or near "x"')],
    ['a unique violation on SQLite', sqlite, coded('SQLITE_CONSTRAINT', 'UNIQUE constraint failed')],
    ['a PostgreSQL code on SQLite', sqlite, coded('28000', 'x')],
    ['a thrown string', sqlite, 'SQLITE_NOTADB'],
  ];
  for (const [what, target, error] of left) {
    test(`${what} is left as it is`, () => {
      assert.equal(describeOpenFailure(error, target), undefined);
    });
  }
});
