// The database opened on PostgreSQL: each pooled connection carries hookd's application_name and
// the configured statement timeout, and a statement cancelled by it is a storage failure (503).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrateLatest, openDatabase, pendingMigrations } from '../../../lib/db/connect.ts';
import { dialectOf } from '../../../lib/db/dialect.ts';
import { toStorageError } from '../../../lib/db/storage-errors.ts';
import { createTestSchema, postgresReachable, shownUrl } from '../../helpers/postgres.ts';

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
