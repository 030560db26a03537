// The readiness probe with several daemons on one PostgreSQL database: they write the same row,
// and each still reads back its own write (not another daemon's, which would report its
// database as failing). Skipped when PostgreSQL is unreachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createHealthProbe } from '../../../lib/db/health-probe.ts';
import { createTestSchema, postgresReachable, shownUrl } from '../../helpers/postgres.ts';

const reachable = await postgresReachable();

test('probes of several daemons at once each read back their own nonce', { skip: reachable ? false : `PostgreSQL unreachable at ${shownUrl()}` }, async () => {
  const schema = await createTestSchema();
  const dbs = [0, 1, 2].map(() => openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 2 }));
  try {
    await migrateLatest(dbs[0]!);
    const rounds = await Promise.all(
      dbs.flatMap((db, d) => Array.from({ length: 20 }, async (_, i) => {
        const nonce = `d${d}-${i}`;
        return { nonce, read: await createHealthProbe(db).writeAndRead(nonce, Date.now()) };
      })),
    );
    assert.deepEqual(rounds.filter((r) => r.read !== r.nonce), []);
  } finally {
    for (const db of dbs) await db.destroy();
    await schema.drop();
  }
});
