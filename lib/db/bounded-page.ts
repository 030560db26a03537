// Pages of rows bounded in bytes as well as in rows: every list or replay read of rows with big
// text columns (events' payloads, deliveries' bodies) goes through readBoundedPage, so no answer
// loads limit × bodyLimit of JSON. Pure: builds on the caller's query.
import type { Knex } from 'knex';

/** What one page of a listing may hold of its rows' big columns (one row always fits). */
export const PAGE_BYTES = 8 * 1024 * 1024;

/**
 * SQL for the bytes a row's text columns hold, as UTF-8 (octet_length on both backends; SQLite has
 * it since 3.43); a null column holds none. length() counted characters: a page of text in a
 * three-byte script was three times its bound.
 */
export function textBytes(...columns: string[]): string {
  return columns.map((c) => `coalesce(octet_length(${c}), 0)`).join(' + ');
}

export interface BoundedPageSpec {
  /** A column that tells the query's rows apart (the second read asks for these only). */
  key: string;
  /** SQL for the size of one row's big columns, in bytes (textBytes). */
  size: string;
  /** At most this many rows; 0 only asks whether any row exists (`more`). */
  limit: number;
  maxBytes: number;
  /** Bytes already on the page (a tree read in several queries); one row always fits only on an empty page. */
  usedBytes?: number;
}

/**
 * The first rows of `query` (filtered and ordered, without a limit) as long as their sizes fit
 * `maxBytes` (one always fits an empty page), at most `limit`. The sizes are read first, so rows
 * past the bound are never loaded; one size past the limit says exactly whether `more` exist.
 * `bytes`: the page's size with these rows.
 */
export async function readBoundedPage<Row>(
  db: Knex,
  query: Knex.QueryBuilder,
  spec: BoundedPageSpec,
): Promise<{ rows: Row[]; more: boolean; bytes: number }> {
  const sizes = (await query.clone().clearSelect().select(spec.key, db.raw(`${spec.size} as row_bytes`)).limit(spec.limit + 1)) as Array<Record<string, unknown>>;
  let bytes = spec.usedBytes ?? 0;
  let fit = 0;
  const most = Math.min(sizes.length, spec.limit);
  const size = (i: number) => Number(sizes[i]!.row_bytes);
  while (fit < most && (bytes === 0 || bytes + size(fit) <= spec.maxBytes)) bytes += size(fit++);
  const keys = sizes.slice(0, fit).map((r) => r[spec.key] as string);
  const rows: Row[] = [];
  // Chunks keep SQLite under its bound-variable limit; each chunk keeps the query's order, and
  // the chunks follow it too. A row deleted between the reads (pruning) just drops out.
  for (let i = 0; i < keys.length; i += 500) rows.push(...((await query.clone().whereIn(spec.key, keys.slice(i, i + 500))) as Row[]));
  return { rows, more: fit < sizes.length, bytes };
}

/** Where a page of a listing ordered by (a number, a unique text) ended: its last row's two keys. */
export interface KeysetPosition {
  n: number;
  s: string;
}

/** The opaque cursor that continues after `position`; `tag` tells one listing's cursors from another's. */
export function encodeKeyset(tag: string, position: KeysetPosition): string {
  return Buffer.from(`${tag}:${position.n}:${position.s}`).toString('base64url');
}

/** The position a cursor of `tag` names; undefined when it is not one (the caller says which parameter). */
export function decodeKeyset(tag: string, cursor: string): KeysetPosition | undefined {
  const match = /^([a-z]+):(-?\d{1,15}):(\S{1,512})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match && match[1] === tag ? { n: Number(match[2]), s: match[3]! } : undefined;
}

/**
 * `query` (ordered by `columns`, both ascending) narrowed to the rows after `position`: a row value
 * comparison, which both backends evaluate with the collation their ORDER BY uses, so a page
 * neither repeats nor skips a row.
 */
export function afterKeyset<Q extends Knex.QueryBuilder>(query: Q, columns: readonly [number: string, text: string], position: KeysetPosition | undefined): Q {
  return position ? (query.whereRaw('(??, ??) > (?, ?)', [columns[0], columns[1], position.n, position.s]) as Q) : query;
}
