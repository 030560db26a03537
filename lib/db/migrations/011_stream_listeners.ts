// PostgreSQL only: which daemons have live stream clients (db/stream-presence.ts). A daemon
// sends the others its business events and hook outcomes only while one of them is listed, so
// daemons nobody streams from do not wake each other for every event. A row lives until its
// `expires_at` (the database's clock), refreshed while its daemon has clients. Nothing on
// SQLite: one daemon, nothing to fan out.
import type { Knex } from 'knex';
import { dialectOf } from '../dialect.ts';

export async function up(knex: Knex): Promise<void> {
  if (dialectOf(knex).client !== 'postgres') return;
  await knex.schema.createTable('stream_listeners', (t) => {
    t.text('instance').primary();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  if (dialectOf(knex).client !== 'postgres') return;
  await knex.schema.dropTableIfExists('stream_listeners');
}
