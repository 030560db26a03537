// The tokens table: API tokens created with `hookd token create`. Only a SHA-256 digest of
// each token is stored, so a copy of the database grants nothing.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export interface TokenRecord {
  id: string;
  name: string;
  scopes: string[];
  createdAt: number;
}

interface TokenRow {
  id: string;
  name: string;
  hash: string;
  scopes: string;
  created_at: number;
}

export function createTokensStore(db: Knex) {
  const table = () => db<TokenRow>('tokens');
  const fromRow = (r: TokenRow): TokenRecord => ({
    id: r.id,
    name: r.name,
    scopes: JSON.parse(r.scopes),
    createdAt: Number(r.created_at),
  });
  return {
    async create(input: { name: string; hash: string; scopes: string[] }): Promise<TokenRecord> {
      const row = { id: randomUUID(), name: input.name, hash: input.hash, scopes: JSON.stringify(input.scopes), created_at: Date.now() };
      await table().insert(row);
      return fromRow(row);
    },
    async findByHash(hash: string): Promise<TokenRecord | undefined> {
      const row = await table().where({ hash }).first();
      return row && fromRow(row);
    },
    async findByName(name: string): Promise<TokenRecord | undefined> {
      const row = await table().where({ name }).first();
      return row && fromRow(row);
    },
  };
}

export type TokensStore = ReturnType<typeof createTokensStore>;
