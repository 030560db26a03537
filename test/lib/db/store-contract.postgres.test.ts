// The store contract on PostgreSQL (HOOKD_TEST_DATABASE_URL, default the local server): a fresh
// schema per case, dropped after. Skipped with a message when the server does not answer.
import { test } from 'node:test';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createTestSchema, postgresReachable, shownUrl } from '../../helpers/postgres.ts';
import { runStoreContract } from './contract/index.ts';

if (await postgresReachable()) {
  runStoreContract('postgres', async () => {
    const schema = await createTestSchema();
    const db = openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 2, statementTimeoutMs: 30_000 });
    try {
      await migrateLatest(db);
    } catch (err) {
      await db.destroy();
      await schema.drop();
      throw err;
    }
    return {
      db,
      async close() {
        await db.destroy();
        await schema.drop();
      },
    };
  });
} else {
  test('store contract (postgres)', (t) => t.skip(`PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL`));
}
