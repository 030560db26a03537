// Events raised by hooks (ctx.emit) remember which hooks emitted along their causation
// chain, so dispatch never hands an event to a hook that caused it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.text('emitted_by'); // JSON list of hook ids, from the root event's first emitter on
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('emitted_by');
  });
}
