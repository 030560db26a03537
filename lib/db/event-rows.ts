// The events table's rows as stored (snake_case columns, JSON as text) and as the rest of hookd
// reads them: the record types, the mapping from one to the other, and the pending predicate the
// partial index matches, shared by the store and its parts (insert, listing, claims).

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

export interface EventRow {
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

export function fromRow(row: EventRow): EventRecord {
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

// Pending events are read through a partial index (migration 013) whose predicate is this
// literal: a query says it in these words so that either backend's planner sees the match.
export const PENDING = "status = 'pending'";
