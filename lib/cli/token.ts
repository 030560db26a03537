// `hookd token create`: a new API token, printed once; only its digest is stored.
import { migrateLatest } from '../db/connect.ts';
import { createTokensStore } from '../db/tokens-store.ts';
import { digestToken, generateToken } from '../tokens.ts';
import { openPrivateDatabase, readConfig } from './config-file.ts';
import { usageError } from './exit.ts';

export async function createTokenCommand(opts: { name: string; scope: string[]; config?: string }): Promise<void> {
  const db = openPrivateDatabase(readConfig(opts.config));
  try {
    await migrateLatest(db);
    const store = createTokensStore(db);
    if (await store.findByName(opts.name)) throw usageError(`a token named "${opts.name}" exists already`);
    const value = generateToken();
    await store.create({ name: opts.name, hash: digestToken(value).toString('hex'), scopes: opts.scope });
    console.log(value);
  } finally {
    await db.destroy();
  }
}
