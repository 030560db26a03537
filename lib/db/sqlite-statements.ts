// Prepared statements on SQLite connections, kept per connection and SQL text: the hot insert
// skips knex's query path and SQLite's parse, and each run is one trip through the driver's
// thread pool instead of three (prepare, step, finalize). Connections come from knex (its pool
// of one, or the caller's transaction), so nothing runs beside knex's own queries on them.
// SQLite refuses to close a connection with statements left open: openDatabase finalizes them
// (finalizeStatements) before knex closes one.
import type { Knex } from 'knex';

type Callback<T> = (err: Error | null, value: T) => void;

/** What node-sqlite3 gives a run's callback as `this`. */
export interface RunResult {
  lastID: number;
  changes: number;
}

interface Statement {
  all(params: readonly unknown[], callback: Callback<unknown[]>): void;
  run(params: readonly unknown[], callback: (this: RunResult, err: Error | null) => void): void;
  finalize(callback: () => void): void;
}

interface Connection {
  prepare(sql: string, callback: (err: Error | null) => void): Statement;
}

interface ConnectionClient {
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: Connection): Promise<unknown>;
}

const prepared = new WeakMap<Connection, Map<string, Promise<Statement>>>();

function statementOn(connection: Connection, sql: string): Promise<Statement> {
  let statements = prepared.get(connection);
  if (!statements) prepared.set(connection, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) {
    statement = new Promise<Statement>((resolve, reject) => {
      const made = connection.prepare(sql, (err) => (err ? reject(err) : resolve(made)));
    });
    statements.set(sql, statement);
    // A statement that does not prepare is not kept: the next call tries again.
    statement.catch(() => statements.delete(sql));
  }
  return statement;
}

/** Runs `use` with the statement prepared for `sql` on the connection knex would use (the transaction's when `runner` is one). */
async function withPrepared<T>(runner: Knex | Knex.Transaction, sql: string, use: (statement: Statement) => Promise<T>): Promise<T> {
  const client = runner.client as ConnectionClient;
  const connection = await client.acquireConnection();
  try {
    return await use(await statementOn(connection, sql));
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * Runs `sql` with `bindings` as a prepared statement and returns its rows. SQLite only; `sql`
 * should come from a bounded set (each text stays prepared while its connection lives).
 */
export function allPrepared<T>(runner: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  return withPrepared(runner, sql, (statement) =>
    new Promise<T[]>((resolve, reject) => statement.all(bindings, (err, rows) => (err ? reject(err) : resolve(rows as T[])))));
}

/** As allPrepared, for a statement without rows: its last inserted rowid and how many rows it changed. */
export function runPrepared(runner: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[]): Promise<RunResult> {
  return withPrepared(runner, sql, (statement) =>
    new Promise<RunResult>((resolve, reject) =>
      statement.run(bindings, function (err) {
        if (err) reject(err);
        else resolve({ lastID: this.lastID, changes: this.changes });
      })));
}

/** Finalizes the statements prepared on a connection: SQLite closes it only once none are left. */
export async function finalizeStatements(connection: object): Promise<void> {
  const statements = prepared.get(connection as Connection);
  if (!statements) return;
  prepared.delete(connection as Connection);
  const made = await Promise.allSettled(statements.values());
  await Promise.all(made.map((s) => (s.status === 'fulfilled' ? new Promise<void>((resolve) => s.value.finalize(resolve)) : undefined)));
}
