// PostgreSQL only: a change to a hook or a webhook (a new row, a removed one, a new version:
// every edit, enable or disable bumps it) notifies channel hookd_registry with
// "<schema> <table> <id>" at commit, so every daemon on the database reloads what changed
// (db/registry-watch.ts). Failure counts alone do not notify. Nothing on SQLite: one daemon.
import type { Knex } from 'knex';
import { dialectOf } from '../dialect.ts';

const TABLES = ['hooks', 'webhooks'];

export async function up(knex: Knex): Promise<void> {
  if (dialectOf(knex).client !== 'postgres') return;
  await knex.raw(`
    CREATE OR REPLACE FUNCTION hookd_registry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('hookd_registry', current_schema() || ' ' || TG_TABLE_NAME || ' ' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END));
      RETURN NULL;
    END $$`);
  for (const table of TABLES) {
    await knex.raw(`CREATE TRIGGER ${table}_notify_rows AFTER INSERT OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION hookd_registry_changed()`);
    await knex.raw(
      `CREATE TRIGGER ${table}_notify_versions AFTER UPDATE ON ${table} FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION hookd_registry_changed()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  if (dialectOf(knex).client !== 'postgres') return;
  for (const table of TABLES) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_notify_rows ON ${table}`);
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_notify_versions ON ${table}`);
  }
  await knex.raw('DROP FUNCTION IF EXISTS hookd_registry_changed()');
}
