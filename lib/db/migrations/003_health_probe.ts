// One row that GET /readyz writes and reads back: a real write through the daemon's own
// connection proves the database takes writes, without touching any data users own.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('health_probe', (t) => {
    t.integer('id').primary();
    t.text('nonce').notNullable();
    t.bigInteger('checked_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('health_probe');
}
