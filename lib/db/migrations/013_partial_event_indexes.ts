// Two of the events table's indexes hold only the rows their queries read: pending events
// (dispatch's claims, GET /metrics' count) and events with a causation (the trace). A posted
// event has no causation and, when no action hook is owed, is stored done: it writes 3 index
// entries instead of 5 (a pending one 4). Same SQL on SQLite and PostgreSQL; IF [NOT] EXISTS
// makes each step safe to repeat.
import type { Knex } from 'knex';

// The predicates are the queries' own (event-rows.ts: PENDING; `causation_id = ?` and
// `IN (...)` imply IS NOT NULL on both backends), so either database uses these indexes.
const UP = [
  `CREATE INDEX IF NOT EXISTS events_pending_seq_index ON events (seq) WHERE status = 'pending'`,
  'CREATE INDEX IF NOT EXISTS events_caused_seq_index ON events (causation_id, seq) WHERE causation_id IS NOT NULL',
  'DROP INDEX IF EXISTS events_status_seq_index',
  'DROP INDEX IF EXISTS events_causation_id_seq_index',
];

const DOWN = [
  'CREATE INDEX IF NOT EXISTS events_status_seq_index ON events (status, seq)',
  'CREATE INDEX IF NOT EXISTS events_causation_id_seq_index ON events (causation_id, seq)',
  'DROP INDEX IF EXISTS events_pending_seq_index',
  'DROP INDEX IF EXISTS events_caused_seq_index',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of UP) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const sql of DOWN) await knex.raw(sql);
}
