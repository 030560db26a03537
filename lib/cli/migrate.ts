// `hookd migrate`: apply pending migrations and say which.
import { openStorage } from '../open-storage.ts';
import { readConfig } from './config-file.ts';

export async function migrateCommand(opts: { config?: string }): Promise<void> {
  const { db, applied } = await openStorage(readConfig(opts.config));
  try {
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
  } finally {
    await db.destroy();
  }
}
