// A command hook's `arrScript`: the *arr app whose Custom Script variables its program gets
// (null: none). Nullable, so every existing hook keeps its behaviour.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('hooks', (t) => {
    t.string('arr_script').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('hooks', (t) => {
    t.dropColumn('arr_script');
  });
}
