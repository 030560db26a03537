// The database as opened by the daemon: a transaction that fails reports the error that failed
// it, also when SQLite has already rolled it back by itself (a full database).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { toStorageError } from '../../../lib/db/storage-errors.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('a transaction that fills the database fails with SQLITE_FULL, not with knex\'s failed ROLLBACK', async () => {
  const temp = makeTempDir();
  const db = openDatabase({ file: join(temp.dir, 'h.sqlite'), synchronous: 'normal' });
  try {
    await migrateLatest(db);
    const pages = ((await db.raw('PRAGMA page_count')) as Array<{ page_count: number }>)[0]!.page_count;
    await db.raw(`PRAGMA max_page_count = ${pages}`);
    const row = (id: string) => ({ id, type: 't', payload: JSON.stringify('x'.repeat(20_000)), status: 'done', occurred_at: 'x', received_at: 1, depth: 0 });
    const failed = await db.transaction(async (trx) => {
      await trx('events').insert(row('a'));
    }).then(() => undefined, (err: unknown) => err as { code?: string });
    assert.equal(failed?.code, 'SQLITE_FULL');
    assert.equal(toStorageError(failed)?.code, 'STORAGE_FULL');
    // Thrown values that are not errors still come back as they were thrown.
    await assert.rejects(db.transaction(async () => Promise.reject(new RangeError('mine'))), /mine/);
    await db.raw('PRAGMA max_page_count = 1073741823');
    await db.transaction(async (trx) => trx('events').insert(row('b')));
    assert.deepEqual((await db('events').select('id')).map((r: { id: string }) => r.id), ['b']);
  } finally {
    await db.destroy();
    temp.remove();
  }
});
