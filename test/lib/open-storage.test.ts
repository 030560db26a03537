// Opening the database as the daemon and the one-off verbs do: in a data dir only its owner may
// enter; a server out of reach fails with one line naming the setting, and knex's own warning
// about it goes to hookd's log as one line, never to the console, never with the password.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, mock, test } from 'node:test';
import { readConfig } from '../../lib/cli/config-file.ts';
import type { DbLog } from '../../lib/db/knex-log.ts';
import { openStorage } from '../../lib/open-storage.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

describe('openStorage', () => {
  test('the database opens in a data dir only its owner may enter, migrated, and works', async () => {
    const dataDir = join(temp.dir, 'data');
    const config = readConfig(temp.write('data.yaml', `dataDir: ${JSON.stringify(dataDir)}\n`), { env: {} });
    const { db, applied } = await openStorage(config);
    try {
      assert.ok(applied.length > 0, 'migrations applied');
      assert.deepEqual(await db.raw('select 1 as one'), [{ one: 1 }]);
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      assert.equal(statSync(config.storage.file).mode & 0o777, 0o600);
    } finally {
      await db.destroy();
    }
  });

  test('a server out of reach: one line naming HOOKD_DATABASE_URL; knex warns through the log only, without the password', async () => {
    const file = temp.write('pg.yaml', `dataDir: ${JSON.stringify(join(temp.dir, 'pg-data'))}\nstorage:\n  client: postgres\n`);
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const config = readConfig(file, { env: { HOOKD_DATABASE_URL: 'postgres://bob:s3cretpw@127.0.0.1:1/x' } });
    const lines: Array<{ level: string; obj: object; msg: string }> = [];
    const record = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
    const log: DbLog = { debug: record('debug'), warn: record('warn'), error: record('error') };
    const consoleCalls = (['log', 'warn', 'error'] as const).map((name) => mock.method(console, name, () => {}));
    let failure: unknown;
    try {
      await openStorage(config, log);
    } catch (error) {
      failure = error;
    } finally {
      for (const m of consoleCalls) m.mock.restore();
    }
    assert.match(String((failure as Error)?.message), /^cannot connect to PostgreSQL at 127\.0\.0\.1:1, database "x" as user "bob" \(storage\.url from HOOKD_DATABASE_URL\): connect ECONNREFUSED/);
    assert.deepEqual(consoleCalls.flatMap((m) => m.mock.calls.map((c) => c.arguments)), [], 'nothing written to the console');
    const warning = lines.find((l) => l.level === 'warn');
    assert.ok(warning, 'knex\'s warning reached the log');
    assert.match(warning.msg, /^Acquire connection error: .*ECONNREFUSED/);
    assert.deepEqual(warning.obj, { source: 'knex' });
    for (const l of lines) {
      assert.ok(!l.msg.includes('\n'), 'one line, no stack');
      assert.ok(!l.msg.includes('s3cretpw'));
    }
  });
});
