// An event's children (the events its hooks emitted, causation_id) are looked up by the trace
// (GET /events/:id/emitted, ?causation= on GET /events): an index instead of a table scan.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.index(['causation_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['causation_id', 'seq']);
  });
}
