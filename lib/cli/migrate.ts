// `hookd migrate`: apply pending migrations and say which.
import { migrateLatest } from '../db/connect.ts';
import { openPrivateDatabase, readConfig } from './config-file.ts';

export async function migrateCommand(opts: { config?: string }): Promise<void> {
  const db = openPrivateDatabase(readConfig(opts.config));
  try {
    const applied = await migrateLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
  } finally {
    await db.destroy();
  }
}
