// PostgreSQL for tests: the server HOOKD_TEST_DATABASE_URL names (default the local one), and a
// uniquely named schema per use, so parallel runs and other suites never share tables.
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';

export const POSTGRES_TEST_URL = process.env.HOOKD_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The URL without its password, for skip messages. */
export function shownUrl(url = POSTGRES_TEST_URL): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Whether the server answers a query within a few seconds. */
export async function postgresReachable(url = POSTGRES_TEST_URL): Promise<boolean> {
  const db = knexFactory({ client: 'pg', connection: { connectionString: url, connectionTimeoutMillis: 3000 }, pool: { min: 0, max: 1 } });
  try {
    await db.raw('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await db.destroy();
  }
}

export interface TestSchema {
  name: string;
  /** The server's URL with this schema as the connection's search_path. */
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty schema; `url` opens connections that see only it. */
export async function createTestSchema(url = POSTGRES_TEST_URL): Promise<TestSchema> {
  const name = `hookd_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.destroy();
  }
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: scoped.toString(),
    async drop() {
      const db = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
      try {
        await db.raw(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await db.destroy();
      }
    },
  };
}

/** Runs `run` on a fresh schema, dropped afterwards whatever happens. */
export async function withTestSchema(run: (schema: TestSchema) => Promise<void>): Promise<void> {
  const schema = await createTestSchema();
  try {
    await run(schema);
  } finally {
    await schema.drop();
  }
}

export interface TestDatabase {
  name: string;
  /** The server's URL naming this database. */
  url: string;
  /** Ends every connection to this database but the caller's own (pg_terminate_backend); how many it ended. */
  terminateBackends(): Promise<number>;
  drop(): Promise<void>;
}

/**
 * Creates an empty database: for tests that end every connection to it (a schema shares its
 * database's connections with every other test's). One admin connection serves the test.
 */
export async function createTestDatabase(url = POSTGRES_TEST_URL): Promise<TestDatabase> {
  const name = `hookd_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const scoped = new URL(url);
  scoped.pathname = `/${name}`;
  return {
    name,
    url: scoped.toString(),
    async terminateBackends() {
      const { rows } = await admin.raw<{ rows: unknown[] }>(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()',
        [name],
      );
      return rows.length;
    },
    async drop() {
      try {
        await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.destroy();
      }
    },
  };
}
