// The events table's partial indexes (migration 013) on both backends: the store's queries for
// pending events and for an event's children are planned through them (their predicates must
// match the index's own, or the query would scan the table), and the full indexes they replace
// are gone. The SQL is what the store sends, captured from knex and explained by the database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Knex } from 'knex';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { dialectOf } from '../../../lib/db/dialect.ts';
import { createEventsStore, type EventsStore } from '../../../lib/db/events-store.ts';
import { createTestSchema, postgresReachable } from '../../helpers/postgres.ts';
import { openTestDb } from '../../helpers/unit-parts.ts';

type Opened = { db: Knex; close: () => Promise<void> };

const PENDING_INDEX = 'events_pending_seq_index';
const CAUSED_INDEX = 'events_caused_seq_index';

/** Each store read, and the index its statements must be planned through. */
const READS: Array<[string, string, (store: EventsStore) => Promise<unknown>]> = [
  ['listPending', PENDING_INDEX, (s) => s.listPending(10)],
  ['countPending', PENDING_INDEX, (s) => s.countPending()],
  ['listClaimable', PENDING_INDEX, (s) => s.listClaimable(10, 0, Date.now())],
  ['listPage ?status=pending', PENDING_INDEX, (s) => s.listPage({ statuses: ['pending'], limit: 10 }, 1 << 20)],
  ['list ?causation=', CAUSED_INDEX, (s) => s.list({ causationId: 'a-parent', limit: 10 })],
  ['listEmitted', CAUSED_INDEX, (s) => s.listEmitted('a-parent', { levels: 3, limit: 10, maxBytes: 1 << 20 })],
];

/** The plan of one statement as text; PostgreSQL is told to avoid a scan a tiny table would prefer. */
async function planOf(db: Knex, sql: string, bindings: readonly unknown[]): Promise<string> {
  if (dialectOf(db).client === 'sqlite') {
    const rows = (await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as Knex.RawBinding[])) as Array<{ detail: string }>;
    return rows.map((r) => r.detail).join('\n');
  }
  return db.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    const result = (await trx.raw(`EXPLAIN ${sql.replace(/\$\d+/g, '?')}`, bindings as Knex.RawBinding[])) as { rows: Array<{ 'QUERY PLAN': string }> };
    return result.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

async function indexNames(db: Knex): Promise<string[]> {
  const rows = dialectOf(db).client === 'sqlite'
    ? ((await db.raw(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'`)) as Array<{ name: string }>)
    : ((await db.raw(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'events' AND schemaname = current_schema()`)) as { rows: Array<{ name: string }> }).rows;
  return rows.map((r) => r.name);
}

function partialIndexCases(open: () => Promise<Opened>): void {
  for (const [name, index, read] of READS) {
    it(`${name} reads through ${index}`, async () => {
      const { db, close } = await open();
      try {
        const sent: Array<{ sql: string; bindings: unknown[] }> = [];
        db.on('query', (q: { sql: string; bindings?: unknown[] }) => sent.push({ sql: q.sql, bindings: q.bindings ?? [] }));
        await read(createEventsStore(db));
        db.removeAllListeners('query');
        assert.ok(sent.length > 0);
        for (const { sql, bindings } of sent) assert.match(await planOf(db, sql, bindings), new RegExp(index), sql);
      } finally {
        await close();
      }
    });
  }

  it('the full status and causation indexes are replaced by the partial ones', async () => {
    const { db, close } = await open();
    try {
      const names = await indexNames(db);
      for (const gone of ['events_status_seq_index', 'events_causation_id_seq_index']) assert.ok(!names.includes(gone), gone);
      for (const kept of [PENDING_INDEX, CAUSED_INDEX]) assert.ok(names.includes(kept), kept);
    } finally {
      await close();
    }
  });
}

describe('partial event indexes (sqlite)', () => partialIndexCases(openTestDb));

describe('partial event indexes (postgres)', async () => {
  if (!(await postgresReachable())) {
    it('is skipped: PostgreSQL unreachable', (t) => t.skip('set HOOKD_TEST_DATABASE_URL'));
    return;
  }
  partialIndexCases(async () => {
    const schema = await createTestSchema();
    const db = openDatabase({ client: 'postgres', url: schema.url, file: '', synchronous: 'full', pool: 2 });
    await migrateLatest(db);
    return {
      db,
      async close() {
        await db.destroy();
        await schema.drop();
      },
    };
  });
});
