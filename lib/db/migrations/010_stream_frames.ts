// PostgreSQL only: the bodies of live stream messages too large for a NOTIFY payload (8000
// bytes), written by the daemon that sends one and read by the others through the row id it
// notifies (db/stream-fanout.ts); pruned after a minute by the database's clock. Nothing on
// SQLite: one daemon, nothing to fan out.
import type { Knex } from 'knex';
import { dialectOf } from '../dialect.ts';

export async function up(knex: Knex): Promise<void> {
  if (dialectOf(knex).client !== 'postgres') return;
  await knex.schema.createTable('stream_frames', (t) => {
    t.bigIncrements('id');
    t.text('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  if (dialectOf(knex).client !== 'postgres') return;
  await knex.schema.dropTableIfExists('stream_frames');
}
