// `hookd token create`: a new API token, printed once; only its digest is stored.
import { createTokensStore } from '../db/tokens-store.ts';
import { openStorage } from '../open-storage.ts';
import { digestToken, generateToken } from '../tokens.ts';
import { readConfig } from './config-file.ts';
import { usageError } from './exit.ts';

export async function createTokenCommand(opts: { name: string; scope: string[]; config?: string }): Promise<void> {
  const { db } = await openStorage(readConfig(opts.config));
  try {
    const store = createTokensStore(db);
    if (await store.findByName(opts.name)) throw usageError(`a token named "${opts.name}" exists already`);
    const value = generateToken();
    await store.create({ name: opts.name, hash: digestToken(value).toString('hex'), scopes: opts.scope });
    console.log(value);
  } finally {
    await db.destroy();
  }
}
