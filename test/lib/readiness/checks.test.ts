// The database and migrations checks of GET /readyz against a real SQLite file: a real write
// read back, the room left under storage.maxSize, and pending migrations, each failing with a
// reason that names what is wrong (and no file paths).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createHealthProbe } from '../../../lib/db/health-probe.ts';
import { migrationSource } from '../../../lib/db/migrations/index.ts';
import { createDatabaseCheck, createMigrationsCheck, STORAGE_RESERVE_BYTES } from '../../../lib/readiness/checks.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function withDatabase(run: (db: ReturnType<typeof openDatabase>, dir: string) => Promise<void>): Promise<void> {
  const temp = makeTempDir();
  const db = openDatabase({ file: join(temp.dir, 'h.sqlite'), synchronous: 'normal' });
  try {
    await run(db, temp.dir);
  } finally {
    await db.destroy();
    temp.remove();
  }
}

describe('the database check', () => {
  it('passes on a migrated database, and its probe row holds what it wrote last', () =>
    withDatabase(async (db, dir) => {
      await migrateLatest(db);
      const check = createDatabaseCheck({ probe: createHealthProbe(db), dataDir: dir });
      await check();
      await check();
      const rows = await db('health_probe').select('id', 'nonce');
      assert.equal(rows.length, 1, 'one row, rewritten');
    }));

  it('fails with "database is full" once less than the reserve is left under max_page_count', () =>
    withDatabase(async (db, dir) => {
      await migrateLatest(db);
      const check = createDatabaseCheck({ probe: createHealthProbe(db), dataDir: dir });
      const [sizes] = (await db.raw('SELECT * FROM pragma_page_count(), pragma_page_size()')) as Array<{ page_count: number; page_size: number }>;
      const { page_count: pages, page_size: pageSize } = sizes!;
      const roomy = pages + Math.ceil((2 * STORAGE_RESERVE_BYTES) / pageSize);
      await db.raw(`PRAGMA max_page_count = ${roomy}`);
      await check();
      await db.raw(`PRAGMA max_page_count = ${pages + 1}`);
      await assert.rejects(check(), (err: Error) => {
        assert.match(err.message, /^database is full: \d+ KiB left under storage\.maxSize, below the 64 KiB kept for writes$/);
        return true;
      });
    }));

  it('fails with "database cannot be written" and the storage reason when a write fails, without paths', () =>
    withDatabase(async (db, dir) => {
      await migrateLatest(db);
      const check = createDatabaseCheck({ probe: createHealthProbe(db), dataDir: dir });
      await db.raw('PRAGMA query_only = ON'); // every write now fails as on a read-only database
      await assert.rejects(check(), (err: Error) => {
        assert.match(err.message, /^database cannot be written: the database is read-only \(SQLITE_READONLY\)$/);
        return true;
      });
      await db.raw('PRAGMA query_only = OFF');
      await check();
    }));

  it('fails without naming the file when the data directory is gone', () =>
    withDatabase(async (db, dir) => {
      await migrateLatest(db);
      const check = createDatabaseCheck({ probe: createHealthProbe(db), dataDir: join(dir, 'missing') });
      await assert.rejects(check(), (err: Error) => {
        assert.match(err.message, /^database disk cannot be inspected: an unexpected error \(ENOENT\); see the daemon log$/);
        assert.ok(!err.message.includes(dir));
        return true;
      });
    }));
});

describe('the migrations check', () => {
  it('lists pending migrations until they are applied', () =>
    withDatabase(async (db) => {
      const check = createMigrationsCheck({ db });
      const all = await migrationSource.getMigrations([]);
      assert.deepEqual(all.slice(0, 3), ['001_initial.ts', '002_event_emitters.ts', '003_health_probe.ts']);
      await assert.rejects(check(), { message: `migrations pending: ${all.join(', ')} (hookd migrate applies them)` });
      await migrateLatest(db);
      await check();
    }));
});
