// Opens the SQLite database with knex: one connection (SQLite serializes writers anyway), WAL
// journal, the configured fsync policy, and migrations applied on demand.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations/index.ts';

export interface DatabaseOptions {
  file: string;
  synchronous: 'full' | 'normal';
}

export type Db = Knex;

export function openDatabase(options: DatabaseOptions): Db {
  mkdirSync(dirname(options.file), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: options.file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { exec: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.exec(
          `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous.toUpperCase()}; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;`,
          (err) => done(err, conn),
        );
      },
    },
  });
}

/** Applies pending migrations; returns the names applied. */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}
