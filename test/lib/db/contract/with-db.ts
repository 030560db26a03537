// Runs one contract case against a fresh database and closes it whatever happens.
import type { Knex } from 'knex';
import type { OpenDb } from './index.ts';

export async function withDb(open: OpenDb, run: (db: Knex) => Promise<void>): Promise<void> {
  const { db, close } = await open();
  try {
    await run(db);
  } finally {
    await close();
  }
}
