// Leases for several daemons on one database: an event's action hooks are claimed by one daemon
// (claimed_by, claim_expires_at; an expired lease is taken over by another), and a delivery's
// claim names its daemon too (claimed_by beside claimed_until), so a daemon renews and releases
// only its own. Nullable columns, no default: existing rows are simply unclaimed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.text('claimed_by');
    t.bigInteger('claim_expires_at');
  });
  await knex.schema.alterTable('deliveries', (t) => {
    t.text('claimed_by');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deliveries', (t) => t.dropColumn('claimed_by'));
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('claim_expires_at');
    t.dropColumn('claimed_by');
  });
}
