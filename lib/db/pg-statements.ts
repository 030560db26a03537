// Named prepared statements on PostgreSQL connections, for the hot insert: the server parses and
// plans a text once per connection instead of on every call, and the call skips knex's query
// path (builder, runner, positional rewriting), the costliest part of a small statement on the
// daemon's side. Connections come from knex (its pool, or the caller's transaction), so nothing
// runs beside knex's own queries on them; knex's 'query' event still fires (statement counts).
import type { Knex } from 'knex';

interface Connection {
  __knexTxId?: string;
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

interface ConnectionClient {
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: Connection): Promise<unknown>;
  emit(event: 'query', query: { sql: string; __knexTxId?: string }): void;
}

// knex's `?` placeholders as PostgreSQL's `$n`, once per text (the texts come from a bounded set).
const numbered = new Map<string, string>();

function numberPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

/**
 * Runs `sql` (knex's `?` placeholders, no `?` otherwise) as the prepared statement `name` on the
 * connection knex would use (the transaction's when `runner` is one) and returns its rows.
 * PostgreSQL only; one `name` must always go with the same `sql`.
 */
export async function queryPrepared<T>(runner: Knex | Knex.Transaction, name: string, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  const client = runner.client as ConnectionClient;
  const text = numberPlaceholders(sql);
  const connection = await client.acquireConnection();
  try {
    client.emit('query', { sql: text, __knexTxId: connection.__knexTxId });
    return (await connection.query({ name, text, values: bindings })).rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}
