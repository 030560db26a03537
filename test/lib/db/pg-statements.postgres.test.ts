// Named prepared statements on PostgreSQL (the hot insert): run on knex's connection, the
// transaction's inside one (rolled back with it), prepared once per connection, and counted as
// knex's own statements are (hookd_storage_statements_total, _transactions_total).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countStatements, openDatabase } from '../../../lib/db/connect.ts';
import { queryPrepared } from '../../../lib/db/pg-statements.ts';
import { postgresReachable, shownUrl, withTestSchema } from '../../helpers/postgres.ts';

const reachable = await postgresReachable();

test('a prepared statement runs on the transaction it is given, is prepared once per connection, and is counted', async (t) => {
  if (!reachable) return t.skip(`PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`);
  await withTestSchema(async (schema) => {
    const db = openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 1 });
    try {
      await db.raw('CREATE TABLE t (v integer)');
      const counts = countStatements(db);
      const insert = (runner: Parameters<typeof queryPrepared>[0], v: number) => queryPrepared<{ v: number }>(runner, 'test_insert', 'INSERT INTO t (v) VALUES (?) RETURNING v', [v]);
      assert.deepEqual(await insert(db, 1), [{ v: 1 }]);
      assert.deepEqual(counts(), { statements: 1, transactions: 1 }, 'one statement, committed alone');
      const rolledBack = await db
        .transaction(async (trx) => {
          assert.deepEqual(await insert(trx, 2), [{ v: 2 }]);
          const [row] = (await trx.raw("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = 'test_insert'")).rows;
          assert.equal(row.n, 1, 'prepared on this connection, once');
          throw new Error('roll back');
        })
        .catch((err: Error) => err.message);
      assert.equal(rolledBack, 'roll back');
      assert.deepEqual((await db('t').select('v')).map((r) => r.v), [1], 'the insert inside the transaction went with it');
      // BEGIN, the insert, the catalog read and ROLLBACK: one transaction; then the select.
      assert.deepEqual(counts(), { statements: 6, transactions: 3 });
    } finally {
      await db.destroy();
    }
  });
});
