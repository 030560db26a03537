// The events table's insert path: a batch in the caller's transaction (idempotent by id) or
// generated ids autocommitted, INSERT_CHUNK rows a statement. Its SQL texts are built once:
// SQLite takes the rows as one JSON text (json_each), PostgreSQL as a multi-row VALUES.
import type { Knex } from 'knex';
import { dialectOf } from './dialect.ts';
import { fromRow, type EventRecord, type EventRow, type EventStatus } from './event-rows.ts';
import { queryPrepared } from './pg-statements.ts';
import { allPrepared, runPrepared } from './sqlite-statements.ts';

export type NewEvent = Omit<EventRecord, 'seq' | 'finalPayload' | 'status' | 'emittedBy'> & {
  status?: EventStatus;
  /** Set when the filter chain ran before the event was stored (POST ?wait=true). */
  finalPayload?: unknown;
  emittedBy?: string[];
  /** The id was generated here (a random UUID), so it cannot exist yet: no lookup needed. */
  generatedId?: boolean;
  /** The JSON columns, serialized ahead (serializeEvent) so that a value that cannot be fails alone. */
  columns?: EventColumns;
};

export interface EventColumns {
  payload: string;
  finalPayload: string | null;
  emittedBy: string | null;
}

/**
 * The event's JSON columns. Throws (a TypeError or RangeError naming the column) for a value
 * JSON.stringify cannot serialize: called per event before any transaction, so one such event
 * never fails the others committed with it.
 */
export function serializeEvent(e: NewEvent): EventColumns {
  const json = (column: string, value: unknown): string => {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new TypeError(`its ${column} cannot be serialized as JSON: ${(err as Error).message}`);
    }
    if (text === undefined) throw new TypeError(`its ${column} is not JSON data`);
    return text;
  };
  return {
    payload: json('payload', e.payload),
    finalPayload: e.finalPayload === undefined ? null : json('final payload', e.finalPayload),
    emittedBy: e.emittedBy && e.emittedBy.length > 0 ? json('emitter list', e.emittedBy) : null,
  };
}

export interface InsertResult {
  event: EventRecord;
  created: boolean;
}

// 11 bound columns a row on PostgreSQL: 80 rows a statement keep its parameter lists small.
export const INSERT_CHUNK = 80;

const INSERT_COLUMNS = 'id, type, payload, final_payload, status, occurred_at, received_at, source, causation_id, depth, emitted_by';
// ON CONFLICT: another daemon on the same database may store the same client id between this
// one's lookup and its insert; that row is left alone and reported as not inserted.
const ON_CONFLICT = 'ON CONFLICT (id) DO NOTHING';
const FULL_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
// Most rows (posted events: no filter output, no causation, no emitters) hold the defaults in
// four columns, written as literals, so such a row carries 7 values instead of 11.
const PLAIN_ROW = '(?, ?, ?, NULL, ?, ?, ?, ?, NULL, 0, NULL)';

// PostgreSQL: a multi-row VALUES, one SQL text per row count and row shape, built once: the hot
// insert skips knex's query compiler.
const insertSql = { full: [] as string[], plain: [] as string[] };
function valuesInsertSql(rows: number, plain: boolean): string {
  const texts = plain ? insertSql.plain : insertSql.full;
  return (texts[rows] ??= `INSERT INTO events (${INSERT_COLUMNS}) VALUES ${Array(rows).fill(plain ? PLAIN_ROW : FULL_ROW).join(', ')} ${ON_CONFLICT} RETURNING id, seq`);
}

// SQLite: the rows travel as one JSON text (an array of the row's values, in the row shape's
// order) and SQLite takes them apart. The driver converts each bound value with native calls on
// the event loop's thread, about half a microsecond each: binding 11 values a row was the
// costliest main-thread step of an insert; one text a statement moves that work to the driver's
// thread. One SQL text a row shape, for every row count (WHERE true: SQLite's rule for an
// upsert from a SELECT). Rows whose ids were generated here cannot conflict: ORDER BY key
// inserts them in the array's order, so their seqs (AUTOINCREMENT, one writer) are the run's
// last rowid counted back, with no RETURNING rows to build and read. Rows with a client's id
// take RETURNING, which says which of them were new.
function jsonInsertSql(row: string, returning: boolean): string {
  let value = 0;
  const columns = row.slice(1, -1).split(', ').map((c) => (c === '?' ? `value ->> ${value++}` : c));
  return `INSERT INTO events (${INSERT_COLUMNS}) SELECT ${columns.join(', ')} FROM json_each(?) WHERE true ORDER BY key ${ON_CONFLICT}${returning ? ' RETURNING id, seq' : ''}`;
}
const SQLITE_INSERT = {
  generated: { full: jsonInsertSql(FULL_ROW, false), plain: jsonInsertSql(PLAIN_ROW, false) },
  returning: { full: jsonInsertSql(FULL_ROW, true), plain: jsonInsertSql(PLAIN_ROW, true) },
};

interface FreshEvent {
  event: EventRecord;
  columns: EventColumns;
}

/** Whether the row's last four columns hold their defaults (PLAIN_ROW writes them as literals). */
function isPlain({ event: e, columns }: FreshEvent): boolean {
  return columns.finalPayload === null && e.causationId === null && e.depth === 0 && columns.emittedBy === null;
}

/** The row's values in FULL_ROW's order, or PLAIN_ROW's (without its four literals). */
function rowValues({ event: e, columns }: FreshEvent, plain: boolean): Knex.Value[] {
  return plain
    ? [e.id, e.type, columns.payload, e.status, e.occurredAt, e.receivedAt, e.source]
    : [e.id, e.type, columns.payload, columns.finalPayload, e.status, e.occurredAt, e.receivedAt, e.source, e.causationId, e.depth, columns.emittedBy];
}

function toFresh(e: NewEvent): FreshEvent {
  return { event: toRecord(e), columns: e.columns ?? serializeEvent(e) };
}

function toRecord(e: NewEvent): EventRecord {
  return {
    seq: 0,
    id: e.id,
    type: e.type,
    payload: e.payload,
    finalPayload: e.finalPayload,
    status: e.status ?? 'pending',
    occurredAt: e.occurredAt,
    receivedAt: e.receivedAt,
    source: e.source,
    causationId: e.causationId,
    depth: e.depth,
    emittedBy: e.emittedBy ?? [],
  };
}

/**
 * Inserts up to INSERT_CHUNK new events with one statement and sets their seqs; returns the ids
 * that already existed. `generated`: insertGenerated's chunk, whose ids were made here (none can
 * exist, so none is looked for).
 */
async function insertChunk(runner: Knex | Knex.Transaction, chunk: FreshEvent[], generated: boolean): Promise<string[]> {
  const plain = chunk.every(isPlain);
  const shape = plain ? 'plain' : 'full';
  let rows: Array<{ id: string; seq: number }>;
  if (dialectOf(runner).client === 'sqlite') {
    // Prepared statements on knex's connection (sqlite-statements.ts).
    const bindings = [JSON.stringify(chunk.map((e) => rowValues(e, plain)))];
    if (generated) {
      const { lastID, changes } = await runPrepared(runner, SQLITE_INSERT.generated[shape], bindings);
      if (changes !== chunk.length) throw new Error(`a generated event id already existed (${chunk.length - changes} of ${chunk.length})`);
      chunk.forEach(({ event }, i) => (event.seq = lastID - changes + 1 + i));
      return [];
    }
    rows = await allPrepared(runner, SQLITE_INSERT.returning[shape], bindings);
  } else {
    const bindings = chunk.flatMap((e) => rowValues(e, plain));
    // A prepared statement per row count and shape on knex's connection (pg-statements.ts).
    rows = await queryPrepared(runner, `hookd_events_${shape}_${chunk.length}`, valuesInsertSql(chunk.length, plain), bindings);
  }
  // RETURNING's row order is unspecified: match by id (unique in the chunk).
  const seqs = new Map(rows.map((r) => [r.id, r.seq]));
  const existed: string[] = [];
  for (const { event } of chunk) {
    const seq = seqs.get(event.id);
    if (seq === undefined) existed.push(event.id);
    else event.seq = seq;
  }
  return existed;
}

/** The insert path of one database: `insertMany` in the caller's transaction, `insertGenerated` on its own. */
export function createEventInserts(db: Knex) {
  const table = (trx: Knex | Knex.Transaction = db) => trx<EventRow>('events');

  return {
    /** Inserts a batch inside the caller's transaction. An id that exists (or repeats in the batch) creates nothing. */
    async insertMany(trx: Knex.Transaction, events: NewEvent[]): Promise<InsertResult[]> {
      {
        // Only ids a client chose can repeat; skipping the lookup for the rest saves a statement
        // per commit in the common case.
        const ids = [...new Set(events.filter((e) => !e.generatedId).map((e) => e.id))];
        const existing = new Map<string, EventRecord>();
        for (let i = 0; i < ids.length; i += 500) {
          const rows = await table(trx).whereIn('id', ids.slice(i, i + 500));
          for (const row of rows) existing.set(row.id, fromRow(row));
        }
        const results: InsertResult[] = [];
        const fresh: FreshEvent[] = [];
        for (const e of events) {
          const known = existing.get(e.id);
          if (known) {
            results.push({ event: known, created: false });
            continue;
          }
          const item = toFresh(e);
          existing.set(e.id, item.event);
          fresh.push(item);
          results.push({ event: item.event, created: true });
        }
        // Multi-row INSERTs: one statement per chunk instead of a round trip per event.
        const raced: string[] = [];
        for (let i = 0; i < fresh.length; i += INSERT_CHUNK) raced.push(...(await insertChunk(trx, fresh.slice(i, i + INSERT_CHUNK), false)));
        if (raced.length === 0) return results;
        // Stored meanwhile by another daemon (a client retrying through another): not created here.
        const stored = new Map((await table(trx).whereIn('id', raced)).map((row) => [row.id, fromRow(row)]));
        return results.map((r) => (stored.has(r.event.id) ? { event: stored.get(r.event.id)!, created: false } : r));
      }
    },

    /**
     * Inserts up to INSERT_CHUNK events whose ids were generated here (so none can exist)
     * as one autocommitted statement: a single statement is atomic and, with WAL and
     * synchronous=FULL, durable once it resolves, so BEGIN and COMMIT (two more round trips
     * through the connection's thread) buy nothing when nothing else must commit with it.
     */
    async insertGenerated(events: NewEvent[]): Promise<InsertResult[]> {
      if (events.length > INSERT_CHUNK || events.some((e) => !e.generatedId)) {
        throw new Error('insertGenerated takes at most INSERT_CHUNK events with generated ids');
      }
      const fresh = events.map(toFresh);
      if ((await insertChunk(db, fresh, true)).length > 0) throw new Error('insertGenerated: a generated id already existed');
      return fresh.map(({ event }) => ({ event, created: true }));
    },
  };
}
