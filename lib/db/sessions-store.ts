// The sessions table: dashboard sessions keyed by a digest of their id. Returns plain records;
// expiry and revocation are decided by the caller (lib/api/sessions.ts).
import type { Knex } from 'knex';

export interface SessionRecord {
  idHash: string;
  tokenHash: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
}

interface SessionRow {
  id_hash: string;
  token_hash: string;
  csrf: string;
  created_at: number | string;
  expires_at: number | string;
  last_seen_at: number | string;
}

// PostgreSQL answers bigint columns as strings.
const fromRow = (r: SessionRow): SessionRecord => ({
  idHash: r.id_hash,
  tokenHash: r.token_hash,
  csrf: r.csrf,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  lastSeenAt: Number(r.last_seen_at),
});

export function createSessionsStore(db: Knex) {
  const table = () => db<SessionRow>('sessions');
  return {
    async insert(s: SessionRecord): Promise<void> {
      await table().insert({
        id_hash: s.idHash,
        token_hash: s.tokenHash,
        csrf: s.csrf,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        last_seen_at: s.lastSeenAt,
      });
    },
    async find(idHash: string): Promise<SessionRecord | undefined> {
      const row = await table().where({ id_hash: idHash }).first();
      return row && fromRow(row);
    },
    async touch(idHash: string, at: number): Promise<void> {
      await table().where({ id_hash: idHash }).update({ last_seen_at: at });
    },
    async remove(idHash: string): Promise<boolean> {
      return (await table().where({ id_hash: idHash }).delete()) > 0;
    },
    /** Sessions past their expiry (retention); idle ones are removed when next presented. */
    async pruneExpired(now: number): Promise<number> {
      return table().where('expires_at', '<=', now).delete();
    },
  };
}

export type SessionsStore = ReturnType<typeof createSessionsStore>;
