// The events table: inserts (idempotent by id, in one transaction per batch), reads, the
// cursor-paginated listing, status changes and pruning. Returns plain records.
import type { Knex } from 'knex';
import { readBoundedPage } from './bounded-page.ts';
import { dialectOf } from './dialect.ts';
import { allPrepared } from './sqlite-statements.ts';

// pending: action hooks still to run; done: dispatched. A waiting POST's filter chain runs
// before its event is stored, so no stored event waits for one (migration 005 finished those an
// older version left).
export type EventStatus = 'pending' | 'done';

export interface EventRecord {
  seq: number;
  id: string;
  type: string;
  payload: unknown;
  finalPayload: unknown | undefined;
  status: EventStatus;
  occurredAt: string;
  receivedAt: number;
  source: string | null;
  causationId: string | null;
  depth: number;
  /** Hooks that emitted along this event's causation chain (never dispatched to again). */
  emittedBy: string[];
}

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

interface EventRow {
  seq: number;
  id: string;
  type: string;
  payload: string;
  final_payload: string | null;
  status: EventStatus;
  occurred_at: string;
  received_at: number;
  source: string | null;
  causation_id: string | null;
  depth: number;
  emitted_by: string | null;
  claimed_by?: string | null;
  claim_expires_at?: number | null;
}

function fromRow(row: EventRow): EventRecord {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    payload: JSON.parse(row.payload),
    finalPayload: row.final_payload === null ? undefined : JSON.parse(row.final_payload),
    status: row.status,
    occurredAt: row.occurred_at,
    receivedAt: Number(row.received_at),
    source: row.source,
    causationId: row.causation_id,
    depth: row.depth,
    emittedBy: row.emitted_by ? JSON.parse(row.emitted_by) : [],
  };
}

// 11 bound columns a row on PostgreSQL: 80 rows a statement keep its parameter lists small.
export const INSERT_CHUNK = 80;

const INSERT_COLUMNS = 'id, type, payload, final_payload, status, occurred_at, received_at, source, causation_id, depth, emitted_by';
// ON CONFLICT: another daemon on the same database may store the same client id between this
// one's lookup and its insert; that row is left alone and reported as not inserted.
const ON_CONFLICT = 'ON CONFLICT (id) DO NOTHING RETURNING id, seq';
// SQLite: the rows travel as one JSON text (an array of column arrays, INSERT_COLUMNS' order)
// and SQLite takes them apart. The driver converts each bound value with native calls on the
// event loop's thread, about half a microsecond each: binding 11 values a row was the costliest
// main-thread step of an insert; one text a statement moves that work to the driver's thread.
// One SQL text for every row count (WHERE true: SQLite's rule for an upsert from a SELECT).
const SQLITE_INSERT = `INSERT INTO events (${INSERT_COLUMNS}) SELECT ${INSERT_COLUMNS.split(', ').map((_, i) => `value ->> ${i}`).join(', ')} FROM json_each(?) WHERE true ${ON_CONFLICT}`;
const FULL_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
// PostgreSQL: most rows (posted events: no filter output, no causation, no emitters) hold the
// defaults in four columns, written as literals, so such a row binds 7 values instead of 11.
const PLAIN_ROW = '(?, ?, ?, NULL, ?, ?, ?, ?, NULL, 0, NULL)';
// One SQL text per row count and row shape, built once: the hot insert skips knex's query compiler.
const insertSql = { full: [] as string[], plain: [] as string[] };
function valuesInsertSql(rows: number, plain: boolean): string {
  const texts = plain ? insertSql.plain : insertSql.full;
  return (texts[rows] ??= `INSERT INTO events (${INSERT_COLUMNS}) VALUES ${Array(rows).fill(plain ? PLAIN_ROW : FULL_ROW).join(', ')} ${ON_CONFLICT}`);
}

interface FreshEvent {
  event: EventRecord;
  columns: EventColumns;
}

/** Whether the row's last four columns hold their defaults (PLAIN_ROW writes them as literals). */
function isPlain({ event: e, columns }: FreshEvent): boolean {
  return columns.finalPayload === null && e.causationId === null && e.depth === 0 && columns.emittedBy === null;
}

/** The row's values in INSERT_COLUMNS' order (PLAIN_ROW: without its four literals). */
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

/** Inserts up to INSERT_CHUNK new events with one statement and sets their seq from RETURNING; returns the ids that already existed. */
async function insertChunk(runner: Knex | Knex.Transaction, chunk: FreshEvent[]): Promise<string[]> {
  let rows: Array<{ id: string; seq: number }>;
  if (dialectOf(runner).client === 'sqlite') {
    // A prepared statement on knex's connection (sqlite-statements.ts).
    rows = await allPrepared(runner, SQLITE_INSERT, [JSON.stringify(chunk.map((e) => rowValues(e, false)))]);
  } else {
    const plain = chunk.every(isPlain);
    const bindings = chunk.flatMap((e) => rowValues(e, plain));
    rows = dialectOf(runner).rows(await runner.raw(valuesInsertSql(chunk.length, plain), bindings));
  }
  // RETURNING's row order is unspecified in SQLite: match by id (unique in the chunk).
  const seqs = new Map(rows.map((r) => [r.id, r.seq]));
  const existed: string[] = [];
  for (const { event } of chunk) {
    const seq = seqs.get(event.id);
    if (seq === undefined) existed.push(event.id);
    else event.seq = seq;
  }
  return existed;
}

export interface ListQuery {
  /** Only these types (`type IN`); undefined: every type. */
  types?: readonly string[];
  /** Only these statuses; undefined: any. */
  statuses?: readonly EventStatus[];
  /** Received at or after / at or before (ms since epoch). */
  since?: number;
  until?: number;
  /** Text found in the id, type, source or payload JSON (see matchText). */
  text?: string;
  /** Only events emitted for this one (its direct children). */
  causationId?: string;
  afterSeq?: number;
  limit: number;
}

export interface EmittedTree {
  /** Descendants breadth first, each level in arrival order; each names its parent in causationId. */
  items: EventRecord[];
  /** More descendants exist beyond `limit` or `levels`. */
  truncated: boolean;
}

// A LIKE pattern for "contains `text`": '!' escapes the wildcards (and itself) on both backends,
// where a backslash would mean different things to PostgreSQL's string rules and to knex.
const likeContaining = (text: string) => `%${text.replace(/[!%_]/g, '!$&')}%`;

/**
 * Narrows `query` to events whose id, type, source or payload (as received or as stored after the
 * filters) contains `text`, case-insensitively (ASCII letters only on SQLite). Payloads are JSON
 * text, where a quote or a newline is escaped: the text is also looked for in that spelling.
 */
function matchText<Q extends Knex.QueryBuilder>(db: Knex, query: Q, text: string): Q {
  const like = dialectOf(db).caseInsensitiveLike;
  const plain = likeContaining(text);
  const inJson = likeContaining(JSON.stringify(text).slice(1, -1));
  return query.where((w) => {
    for (const column of ['id', 'type', 'source', 'payload', 'final_payload']) w.orWhereRaw(`?? ${like} ? ESCAPE '!'`, [column, plain]);
    if (inJson !== plain) for (const column of ['payload', 'final_payload']) w.orWhereRaw(`?? ${like} ? ESCAPE '!'`, [column, inJson]);
  }) as Q;
}

// Pending events are read through a partial index (migration 013) whose predicate is this
// literal: a query says it in these words so that either backend's planner sees the match.
const PENDING = "status = 'pending'";

// An event's stored JSON, what bounds a page of events (bounded-page.ts).
const EVENT_BYTES = 'length(payload) + coalesce(length(final_payload), 0)';

export function createEventsStore(db: Knex) {
  const table = (trx: Knex | Knex.Transaction = db) => trx<EventRow>('events');
  // The listing's filters, newest first: one query for list() and for listPage().
  const listed = (q: Omit<ListQuery, 'limit'>) => {
    let query = table().orderBy('seq', 'desc');
    if (q.types) query = query.whereIn('type', q.types);
    if (q.statuses?.length === 1 && q.statuses[0] === 'pending') query = query.whereRaw(PENDING);
    else if (q.statuses) query = query.whereIn('status', q.statuses);
    if (q.since !== undefined) query = query.where('received_at', '>=', q.since);
    if (q.until !== undefined) query = query.where('received_at', '<=', q.until);
    if (q.causationId !== undefined) query = query.where('causation_id', q.causationId);
    if (q.text) query = matchText(db, query, q.text);
    if (q.afterSeq !== undefined) query = query.where('seq', '<', q.afterSeq);
    return query;
  };

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
        for (let i = 0; i < fresh.length; i += INSERT_CHUNK) raced.push(...(await insertChunk(trx, fresh.slice(i, i + INSERT_CHUNK))));
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
      if ((await insertChunk(db, fresh)).length > 0) throw new Error('insertGenerated: a generated id already existed');
      return fresh.map(({ event }) => ({ event, created: true }));
    },

    async get(id: string): Promise<EventRecord | undefined> {
      const row = await table().where({ id }).first();
      return row && fromRow(row);
    },

    async list(q: ListQuery): Promise<EventRecord[]> {
      return (await listed(q).limit(q.limit)).map(fromRow);
    },

    /** The same events, but only as many as fit `maxBytes` of stored JSON (readBoundedPage). */
    async listPage(q: ListQuery, maxBytes: number): Promise<{ items: EventRecord[]; more: boolean }> {
      const { rows, more } = await readBoundedPage<EventRow>(db, listed(q), { key: 'seq', size: EVENT_BYTES, limit: q.limit, maxBytes });
      return { items: rows.map(fromRow), more };
    },

    /**
     * What hooks emitted for `id`, and for those, down to `levels` levels: at most `limit` events
     * and `maxBytes` of their stored JSON (one event always fits), by the causation index.
     */
    async listEmitted(id: string, bounds: { levels: number; limit: number; maxBytes: number }): Promise<EmittedTree> {
      const items: EventRecord[] = [];
      let bytes = 0;
      let parents = [id];
      for (let level = 1; parents.length > 0; level++) {
        const children: EventRecord[] = [];
        for (let i = 0; i < parents.length; i += 500) {
          // Past the last level, or with no room left, a limit of 0 only says whether more exist.
          const room = level > bounds.levels ? 0 : bounds.limit - items.length - children.length;
          const query = table().whereIn('causation_id', parents.slice(i, i + 500)).orderBy('seq');
          const page = await readBoundedPage<EventRow>(db, query, { key: 'seq', size: EVENT_BYTES, limit: room, maxBytes: bounds.maxBytes, usedBytes: bytes });
          children.push(...page.rows.map(fromRow));
          bytes = page.bytes;
          if (page.more) return { items: [...items, ...children], truncated: true };
        }
        items.push(...children);
        parents = children.map((e) => e.id);
      }
      return { items, truncated: false };
    },

    /**
     * Events after `afterSeq` in arrival order, only of `types` when given (the types an
     * event-pattern filter stands for, from event-pattern.ts), as many as fit `maxBytes`:
     * GET /stream's replay.
     */
    async listAfterSeq(afterSeq: number, types: readonly string[] | undefined, page: { limit: number; maxBytes: number }): Promise<{ items: EventRecord[]; more: boolean }> {
      let query = table().where('seq', '>', afterSeq).orderBy('seq');
      if (types) query = query.whereIn('type', types);
      const { rows, more } = await readBoundedPage<EventRow>(db, query, { key: 'seq', size: EVENT_BYTES, ...page });
      return { items: rows.map(fromRow), more };
    },

    /** Pending events in arrival order: what dispatch still owes (also after a restart). */
    async listPending(limit: number, afterSeq = 0): Promise<EventRecord[]> {
      const rows = await table().whereRaw(PENDING).andWhere('seq', '>', afterSeq).orderBy('seq').limit(limit);
      return rows.map(fromRow);
    },

    /** How many events dispatch still owes (GET /metrics); walks the pending index only. */
    async countPending(): Promise<number> {
      const row = (await table().whereRaw(PENDING).count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },

    /**
     * Several daemons on one database: leases pending events to `owner` until `until` and returns
     * the ids it got. A row is taken only while unleased or its lease expired (`now`), checked in
     * the UPDATE itself, so two claimers never both get one; PostgreSQL's claimers pass over rows
     * another is locking (SKIP LOCKED) instead of waiting for them.
     */
    async claim(ids: readonly string[], q: { owner: string; now: number; until: number }): Promise<Set<string>> {
      const got = new Set<string>();
      const claimable = (query: Knex.QueryBuilder) =>
        query.whereRaw(PENDING).andWhere((w) => w.whereNull('claim_expires_at').orWhere('claim_expires_at', '<', q.now));
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const locked = dialectOf(db).skipLocked(claimable(db('events').select('id').whereIn('id', chunk)));
        const rows = (await claimable(table().whereIn('id', locked))
          .update({ claimed_by: q.owner, claim_expires_at: q.until })
          .returning('id')) as Array<{ id: string }>;
        for (const r of rows) got.add(r.id);
      }
      return got;
    },

    /** Extends every lease `owner` holds on a pending event; returns how many. */
    async renewClaims(owner: string, until: number): Promise<number> {
      return table().whereRaw(PENDING).andWhere('claimed_by', owner).whereNotNull('claim_expires_at').update({ claim_expires_at: until });
    },

    /** Gives back `owner`'s leases on pending events (a stop): another daemon may run them at once. */
    async releaseClaims(owner: string): Promise<number> {
      return table().whereRaw(PENDING).andWhere('claimed_by', owner).update({ claimed_by: null, claim_expires_at: null });
    },

    /** Pending events no daemon holds a live lease on, in arrival order: what a daemon may claim. */
    async listClaimable(limit: number, afterSeq: number, now: number): Promise<EventRecord[]> {
      const rows = await table()
        .whereRaw(PENDING)
        .andWhere('seq', '>', afterSeq)
        .andWhere((w) => w.whereNull('claim_expires_at').orWhere('claim_expires_at', '<', now))
        .orderBy('seq')
        .limit(limit);
      return rows.map(fromRow);
    },

    async markDone(ids: string[], trx?: Knex.Transaction): Promise<void> {
      const run = async (t: Knex.Transaction) => {
        for (let i = 0; i < ids.length; i += 500) await table(t).whereIn('id', ids.slice(i, i + 500)).update({ status: 'done' });
      };
      await (trx ? run(trx) : db.transaction(run));
    },

    /** Deletes dispatched events received before `before`; returns how many went. */
    async pruneBefore(before: number, trx?: Knex.Transaction): Promise<number> {
      // Events whose action hooks are still owed stay, however old: pruning must lose no work.
      return table(trx).where('received_at', '<', before).andWhere('status', 'done').delete();
    },
  };
}

export type EventsStore = ReturnType<typeof createEventsStore>;
