// A database that cannot be reached or opened, described in one line: the server or file, the
// setting that names it, the driver's reason and what to check, never the URL's password; any
// other error (a migration's SQL, a bug) is left alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeOpenFailure, type StorageTarget } from '../../../lib/db/open-failure.ts';

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });
const URL_WITH_PASSWORD = 'postgres://bob:s3cret%2Fpw@db.example:6543/hookd?sslmode=require';
const postgres: StorageTarget = { client: 'postgres', file: '/data/hookd.sqlite', url: URL_WITH_PASSWORD, urlSetBy: 'HOOKD_DATABASE_URL' };
const sqlite: StorageTarget = { client: 'sqlite', file: '/data/hookd.sqlite' };

describe('describeOpenFailure', () => {
  const described: Array<[string, StorageTarget, unknown, RegExp]> = [
    ['a refused connection', postgres, coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6543'), /^cannot connect to PostgreSQL at db\.example:6543, database "hookd" as user "bob" \(storage\.url from HOOKD_DATABASE_URL\): connect ECONNREFUSED 10\.0\.0\.1:6543; check that the server runs/],
    ['an unknown host', postgres, coded('ENOTFOUND', 'getaddrinfo ENOTFOUND db.example'), /ENOTFOUND db\.example; check the host name$/],
    ['a missing role (28000)', postgres, coded('28000', 'role "bob" does not exist'), /: role "bob" does not exist; check the user name/],
    ['a wrong password (28P01)', postgres, coded('28P01', 'password authentication failed for user "bob"'), /password authentication failed for user "bob"; check the user name and password/],
    ['a missing database (3D000)', postgres, coded('3D000', 'database "hookd" does not exist'), /database "hookd" does not exist; create the database/],
    ['a connection exception (08006)', postgres, coded('08006', 'connection failure'), /: connection failure; check the server/],
    ['no connection in time (knex)', postgres, Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }), /Timeout acquiring a connection\.; check the host and port/],
    ['storage.url from the file', { ...postgres, urlSetBy: undefined }, coded('ECONNREFUSED', 'connect ECONNREFUSED'), /\(storage\.url\): /],
    ['a file that is not a database', sqlite, coded('SQLITE_NOTADB', 'SQLITE_NOTADB: file is not a database'), /^cannot open the SQLite database \/data\/hookd\.sqlite \(storage\.file\): SQLITE_NOTADB: file is not a database; it is not a hookd database/],
    ['an extended SQLite code', sqlite, coded('SQLITE_IOERR_SHORT_READ', 'SQLITE_IOERR: disk I/O error'), /disk I\/O error; the disk reports I\/O errors/],
    ['a directory it may not write', sqlite, coded('EACCES', "EACCES: permission denied, mkdir '/data'"), /\(storage\.file\): EACCES: permission denied, mkdir '\/data'; make its directory writable/],
    ['a path through a file', sqlite, coded('ENOTDIR', "ENOTDIR: not a directory, open '/data/hookd.sqlite'"), /; a part of its path is a file, not a directory/],
  ];
  for (const [what, target, error, line] of described) {
    test(`${what}: one line naming the setting, exit 1 (STORAGE_UNAVAILABLE)`, () => {
      const out = describeOpenFailure(error, target);
      assert.ok(out, 'described');
      assert.match(out.message, line);
      assert.equal(out.code, 'STORAGE_UNAVAILABLE');
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
