// `hookd migrate` against PostgreSQL, as an operator runs it before starting several daemons:
// the URL from HOOKD_DATABASE_URL, every migration applied to a fresh schema (the stream fan-out's
// table included), then "already up to date"; the daemon's readiness check then finds nothing
// pending. Skipped when PostgreSQL is unreachable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDatabase, pendingMigrations } from '../../lib/db/connect.ts';
import { migrationSource } from '../../lib/db/migrations/index.ts';
import { runCli } from '../helpers/cli.ts';
import { writeTestConfig } from '../helpers/daemon.ts';
import { createTestSchema, postgresReachable, shownUrl, type TestSchema } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const reachable = await postgresReachable();

describe('hookd migrate on PostgreSQL', { skip: reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL` }, () => {
  const temp = makeTempDir();
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema();
  });
  after(async () => {
    await schema?.drop();
    temp.remove();
  });

  test('applies every migration to a fresh schema, then says it is up to date', async () => {
    const config = writeTestConfig(temp.dir, { storage: { client: 'postgres' } });
    const env = { HOOKD_DATABASE_URL: schema.url };
    const first = await runCli(['migrate', '--config', config], env);
    assert.equal(first.status, 0, first.stderr);
    const all = await migrationSource.getMigrations([]);
    assert.equal(first.stdout.trim(), `applied: ${all.join(', ')}`);
    assert.ok(!first.stdout.includes(schema.url) && !first.stderr.includes(schema.url), 'the URL is not printed');

    const again = await runCli(['migrate', '--config', config], env);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.trim(), 'already up to date');

    const db = openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 1 });
    try {
      assert.deepEqual(await pendingMigrations(db), []);
      assert.ok(await db.schema.hasTable('stream_frames'));
      assert.ok(await db.schema.hasTable('stream_listeners'));
    } finally {
      await db.destroy();
    }
  });
});
