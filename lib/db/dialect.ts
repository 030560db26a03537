// What differs between the two storage backends, in one place: the knex client to load, the
// rows of a raw query, and the room left under a size cap. Stores stay portable SQL otherwise
// (text columns for JSON, booleans through knex, RETURNING and ON CONFLICT, which both speak).
import type { Knex } from 'knex';

export type StorageClient = 'sqlite' | 'postgres';

export interface PageRoom {
  pageSize: number;
  /** Pages a write may still use: free pages inside the file plus growth up to max_page_count. */
  pagesLeft: number;
}

export interface Dialect {
  client: StorageClient;
  /** knex's name for the driver. */
  knexClient: 'sqlite3' | 'pg';
  /** The rows of `db.raw(...)`: an array from sqlite3, a result object with `rows` from pg. */
  rows<T>(raw: unknown): T[];
  /** SQLite's room under storage.maxSize; undefined where the server, not hookd, owns the limit. */
  pageRoom(db: Knex): Promise<PageRoom | undefined>;
  /**
   * A claim's row selection, locking what it picks and passing over rows another daemon is
   * claiming now (PostgreSQL's FOR UPDATE SKIP LOCKED: no lock waits between claimers). SQLite
   * has one writer at a time and no row locks: the query as it is.
   */
  skipLocked<Q extends Knex.QueryBuilder>(query: Q): Q;
  /** The operator of a case-insensitive LIKE: SQLite's LIKE ignores the case of ASCII letters; PostgreSQL needs ILIKE. */
  caseInsensitiveLike: 'LIKE' | 'ILIKE';
  /**
   * Waits for, and holds until `trx` ends, a lock every transaction taking the same `name` waits
   * for, on any daemon: a count and the insert it allows stay together (capped-insert.ts).
   * PostgreSQL: a transaction-scoped advisory lock, so other writers of the table never wait.
   * SQLite: nothing; its one connection runs one transaction at a time and one daemon opens a file.
   */
  serialize(trx: Knex.Transaction, name: string): Promise<void>;
}

const SQLITE: Dialect = {
  client: 'sqlite',
  knexClient: 'sqlite3',
  rows: <T>(raw: unknown) => raw as T[],
  async pageRoom(db) {
    const [row] = (await db.raw(
      'SELECT * FROM pragma_page_count(), pragma_freelist_count(), pragma_max_page_count(), pragma_page_size()',
    )) as Array<{ page_count: number; freelist_count: number; max_page_count: number; page_size: number }>;
    const r = row!;
    return { pageSize: r.page_size, pagesLeft: Math.max(0, r.max_page_count - r.page_count) + r.freelist_count };
  },
  skipLocked: (query) => query,
  caseInsensitiveLike: 'LIKE',
  serialize: async () => {},
};

const POSTGRES: Dialect = {
  client: 'postgres',
  knexClient: 'pg',
  rows: <T>(raw: unknown) => (raw as { rows: T[] }).rows,
  pageRoom: async () => undefined,
  skipLocked: (query) => query.forUpdate().skipLocked() as typeof query,
  caseInsensitiveLike: 'ILIKE',
  async serialize(trx, name) {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`hookd:${name}`]);
  },
};

export const DIALECTS: Record<StorageClient, Dialect> = { sqlite: SQLITE, postgres: POSTGRES };

/** The dialect of an open knex (a transaction answers for its database). */
export function dialectOf(db: Knex | Knex.Transaction): Dialect {
  return (db.client as { config: { client: string } }).config.client === 'pg' ? POSTGRES : SQLITE;
}

/**
 * Free text from outside (a response body, an error message) as both backends store it:
 * PostgreSQL's text refuses U+0000 (22021), so it becomes U+FFFD on either, and a record reads
 * the same whichever backend holds it. JSON columns need nothing: JSON escapes it.
 */
export function storableText<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' && text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text) as T;
}
