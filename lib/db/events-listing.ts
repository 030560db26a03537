// Listing and searching the events table: GET /events' filtered, cursor-paginated listing (with
// text match), the emitted tree along causation, and GET /stream's replay. Pages are bounded in
// bytes of stored JSON as well as in rows (bounded-page.ts).
import type { Knex } from 'knex';
import { readBoundedPage, textBytes } from './bounded-page.ts';
import { dialectOf } from './dialect.ts';
import { fromRow, PENDING, type EventRecord, type EventRow, type EventStatus } from './event-rows.ts';

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

// An event's stored JSON, what bounds a page of events (bounded-page.ts).
const EVENT_BYTES = textBytes('payload', 'final_payload');

/** The listing queries of one database (readers only). */
export function createEventListing(db: Knex) {
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
  };
}
