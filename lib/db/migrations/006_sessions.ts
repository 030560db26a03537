// Dashboard sessions (POST /session): a SHA-256 digest of each session id (never the id), the
// digest of the token it came from (checked again at each use, so a removed token ends its
// sessions), the CSRF token, and the expiry. Portable columns only (text, bigint).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.text('id_hash').primary();
    t.text('token_hash').notNullable();
    t.text('csrf').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sessions');
}
