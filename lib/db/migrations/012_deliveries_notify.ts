// PostgreSQL only: a statement that leaves deliveries claimable (an outbox insert, a retry
// scheduled, a claim given back) notifies channel hookd_deliveries with "<schema> <due>", the
// earliest next_attempt_at among those rows, at commit: every daemon's sender claims at once if
// it is due, or times its next claim for then (db/deliveries-notify.ts). One notification a
// statement, not a row. Nothing on SQLite: one daemon, its sender is woken in process.
import type { Knex } from 'knex';
import { dialectOf } from '../dialect.ts';

export async function up(knex: Knex): Promise<void> {
  if (dialectOf(knex).client !== 'postgres') return;
  await knex.raw(`
    CREATE OR REPLACE FUNCTION hookd_deliveries_claimable() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE due bigint;
    BEGIN
      SELECT MIN(next_attempt_at) INTO due FROM claimable_rows WHERE status = 'pending' AND claimed_until IS NULL;
      IF due IS NOT NULL THEN
        PERFORM pg_notify('hookd_deliveries', current_schema() || ' ' || due);
      END IF;
      RETURN NULL;
    END $$`);
  for (const op of ['INSERT', 'UPDATE']) {
    await knex.raw(
      `CREATE TRIGGER deliveries_notify_${op.toLowerCase()} AFTER ${op} ON deliveries REFERENCING NEW TABLE AS claimable_rows FOR EACH STATEMENT EXECUTE FUNCTION hookd_deliveries_claimable()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  if (dialectOf(knex).client !== 'postgres') return;
  for (const op of ['insert', 'update']) await knex.raw(`DROP TRIGGER IF EXISTS deliveries_notify_${op} ON deliveries`);
  await knex.raw('DROP FUNCTION IF EXISTS hookd_deliveries_claimable()');
}
