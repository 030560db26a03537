// Versions before the filter chain ran ahead of storing (POST ?wait=true, sync types) stored a
// waiting event first, as "filtering", and finished it after its chain. A stop in between left
// it so; those versions finished it at their next start. This finishes what such a database
// still holds, once, as they did: the payload as posted becomes the final one and the event is
// pending, so dispatch runs its action hooks (or marks it done when none are owed).
// Not done, unlike then: webhook deliveries for these events. Which endpoints subscribe is the
// outbox's rule (event patterns), not something a migration can apply; such an event can only
// exist after a crash during a chain of a version older than this migration.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex('events').where('status', 'filtering').update({ status: 'pending', final_payload: knex.ref('payload') });
}

export async function down(): Promise<void> {
  // Nothing to undo: "pending" with its final payload is what older versions made of them too.
}
