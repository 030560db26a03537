// The database opened on PostgreSQL: each pooled connection carries hookd's application_name and
// the configured statement timeout, and a statement cancelled by it is a storage failure (503).
// A server that stops answering (a stalled proxy) fails a statement after the client's own
// deadline, and the connection it stalled on is never used again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import knexFactory from 'knex';
import { migrateLatest, openDatabase, pendingMigrations } from '../../../lib/db/connect.ts';
import { dialectOf } from '../../../lib/db/dialect.ts';
import { toStorageError } from '../../../lib/db/storage-errors.ts';
import { createTestSchema, POSTGRES_TEST_URL, postgresReachable, shownUrl } from '../../helpers/postgres.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';

const reachable = await postgresReachable();

test('a PostgreSQL connection has application_name hookd and storage.statementTimeout; a statement past it is STORAGE_UNAVAILABLE', async (t) => {
  if (!reachable) return t.skip(`PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`);
  const schema = await createTestSchema();
  const db = openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 2, statementTimeoutMs: 1500 });
  try {
    assert.equal(dialectOf(db).client, 'postgres');
    assert.equal((await migrateLatest(db))[0], '001_initial.ts');
    assert.deepEqual(await pendingMigrations(db), []);
    const [row] = dialectOf(db).rows<{ app: string; timeout: string; schema: string }>(
      await db.raw("SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS timeout, current_schema() AS schema"),
    );
    assert.deepEqual(row, { app: 'hookd', timeout: '1500ms', schema: schema.name });
    const failed = await db.raw('SELECT pg_sleep(6)').then(() => undefined, (err: unknown) => err);
    assert.equal((failed as { code?: string }).code, '57014');
    assert.equal(toStorageError(failed)?.code, 'STORAGE_UNAVAILABLE');
  } finally {
    await db.destroy();
    await schema.drop();
  }
});

// node-postgres drops a ROLLBACK it cannot send while it still awaits the timed-out statement, so
// once the server answered again that connection went back to the pool inside the transaction and
// the next write on it (pool of one) was acknowledged and never committed.
test('a statement a stalled server never answers fails as STORAGE_UNAVAILABLE, and a write once it answers again is committed', { timeout: 60_000 }, async (t) => {
  if (!reachable) return t.skip(`PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`);
  const schema = await createTestSchema();
  const target = new URL(POSTGRES_TEST_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const throughProxy = new URL(schema.url);
  throughProxy.hostname = '127.0.0.1';
  throughProxy.port = String(proxy.port);
  const db = openDatabase({ client: 'postgres', url: throughProxy.toString(), file: '', synchronous: 'full', pool: 1, statementTimeoutMs: 500 });
  const reader = knexFactory({ client: 'pg', connection: schema.url, pool: { min: 0, max: 1 } });
  try {
    await reader.schema.createTable('writes', (table) => table.text('v'));
    const failed = await db
      .transaction(async (trx) => {
        await trx('writes').insert({ v: 'begun' });
        proxy.stall();
        await trx('writes').insert({ v: 'unanswered' });
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    const typed = toStorageError(failed);
    assert.equal(typed?.code, 'STORAGE_UNAVAILABLE', String(failed));
    assert.match(typed.message, /did not answer in time/);

    proxy.resume();
    await db('writes').insert({ v: 'acknowledged' });
    assert.deepEqual(await reader('writes').pluck('v'), ['acknowledged'], 'the acknowledged write is committed; the failed transaction is not');
  } finally {
    await db.destroy();
    await reader.destroy();
    await proxy.close();
    await schema.drop();
  }
});
