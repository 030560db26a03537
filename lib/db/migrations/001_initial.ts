// The first schema: events, hooks, invocations, webhooks, deliveries and their attempts,
// and API tokens, shaped for the issues that follow. Later changes are new migrations.
// Portable to PostgreSQL: text, not varchar(255) (SQLite never enforced the length; PostgreSQL
// would refuse a longer URL or reason), and double, not float (float4 there). On SQLite both
// spellings have the same affinity, so databases created before this edit are unchanged.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.increments('seq').primary(); // the cursor of GET /events and the order of dispatch
    t.text('id').notNullable().unique(); // client idempotency key or a generated uuid
    t.text('type').notNullable();
    t.text('payload').notNullable(); // JSON as accepted
    t.text('final_payload'); // JSON after the filter chain, when one ran
    t.text('status').notNullable(); // pending | done
    t.text('occurred_at').notNullable(); // ISO time given by the client, else received time
    t.bigInteger('received_at').notNullable(); // ms since epoch: pruning and ?since=
    t.text('source'); // the name of the token that posted it, or "hook:<id>" when emitted
    t.text('causation_id'); // the event whose hook emitted this one
    t.integer('depth').notNullable().defaultTo(0);
    t.index(['type', 'seq']);
    t.index(['received_at']);
    t.index(['status', 'seq']);
  });

  await knex.schema.createTable('hooks', (t) => {
    t.text('id').primary();
    t.text('name').notNullable().unique();
    t.text('origin').notNullable(); // api | file
    t.text('file_path');
    t.text('kind').notNullable(); // module | command
    t.text('mode').notNullable(); // filter | action
    t.text('events').notNullable(); // JSON list of patterns
    t.integer('priority').notNullable().defaultTo(100);
    t.text('source'); // module source as written
    t.text('compiled'); // JSON ModuleSource record
    t.text('hash');
    t.text('command'); // JSON argv for command hooks
    t.text('env'); // JSON list of variable names passed to a command / visible to ctx.env
    t.text('permissions'); // JSON { net?, env? }
    t.integer('timeout_ms');
    t.text('limits');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('disabled_reason');
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.integer('version').notNullable().defaultTo(1);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('invocations', (t) => {
    t.increments('id').primary();
    t.text('event_id').notNullable();
    t.text('hook_id').notNullable();
    t.integer('hook_version').notNullable();
    t.text('mode').notNullable();
    t.text('status').notNullable(); // ok | error | timeout | oom | crashed | invalid-result | invalid-output
    t.double('duration_ms').notNullable();
    t.text('error'); // JSON { message, stack?, line?, column? }
    t.text('logs'); // JSON list of captured log lines, capped
    t.boolean('dry_run').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.index(['event_id']);
    t.index(['hook_id', 'id']);
    t.index(['created_at']);
  });

  await knex.schema.createTable('webhooks', (t) => {
    t.text('id').primary();
    t.text('url').notNullable();
    t.text('events').notNullable(); // JSON list of patterns
    t.text('secret').notNullable();
    t.text('previous_secret'); // still signs until previous_secret_expires_at (rotation grace)
    t.bigInteger('previous_secret_expires_at');
    t.text('description');
    t.text('headers'); // JSON map of extra request headers
    t.integer('timeout_ms');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('disabled_reason');
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.integer('version').notNullable().defaultTo(1);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('deliveries', (t) => {
    t.text('id').primary(); // the webhook-id header: the same across retries
    t.text('webhook_id').notNullable();
    t.text('event_id').notNullable();
    t.text('event_type').notNullable();
    t.text('body').notNullable(); // the exact JSON body that is signed and sent
    t.text('status').notNullable(); // pending | succeeded | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.bigInteger('claimed_until'); // a sender's lease; expired leases are claimed again
    t.integer('last_status_code');
    t.text('last_error');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['status', 'next_attempt_at']);
    t.index(['webhook_id', 'created_at']);
    t.index(['event_id']);
  });

  await knex.schema.createTable('delivery_attempts', (t) => {
    t.increments('id').primary();
    t.text('delivery_id').notNullable();
    t.text('webhook_id').notNullable();
    t.bigInteger('attempted_at').notNullable();
    t.double('duration_ms').notNullable();
    t.integer('status_code');
    t.text('response_body'); // the first bytes only
    t.text('error');
    t.index(['delivery_id']);
    t.index(['webhook_id', 'id']);
  });

  await knex.schema.createTable('tokens', (t) => {
    t.text('id').primary();
    t.text('name').notNullable().unique();
    t.text('hash').notNullable(); // sha256 of the token; the token itself is never stored
    t.text('scopes').notNullable(); // JSON list
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['tokens', 'delivery_attempts', 'deliveries', 'webhooks', 'invocations', 'hooks', 'events']) {
    await knex.schema.dropTableIfExists(table);
  }
}
