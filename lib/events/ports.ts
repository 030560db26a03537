// What the event service needs from the parts around it, and what it takes from them, as
// narrow ports: the composition root builds webhooks and dispatch first and hands the service
// only these, so the service never sees a whole subsystem.
import type { Knex } from 'knex';
import type { EventRecord, NewEvent } from '../db/events-store.ts';
import type { AlsoInTransaction } from '../db/event-writer.ts';
import type { EmittedEvent } from '../../runtime/index.ts';

/** The webhook outbox: rows that commit with the event they announce. */
export interface OutboxPort {
  /** The delivery rows of events stored in `trx`, each with the payload receivers get. */
  enqueueDeliveries: (trx: Knex.Transaction, items: ReadonlyArray<{ event: EventRecord; payload: unknown }>) => Promise<void>;
  /** Whether any enabled webhook wants a type (cached): a batch nobody wants commits without a transaction. */
  subscribes: (type: string) => Promise<boolean>;
}

/** What a filter chain produced: the final payload and what each filter hook did (the answer to a waiting POST). */
export interface FilterChainOutput {
  payload: unknown;
  changed: boolean;
  results: unknown[];
}

/** What one filter run emitted, and the hook that ran (stored with its waiting event). */
export interface EmittedByRun {
  hook: { id: string; name: string };
  emitted: EmittedEvent[];
}

/** Dispatch, as the service sees it: who subscribes, the filter chain, and the hand-over of stored events. */
export interface DispatchPort {
  /** Whether any action hook subscribes to a type: events no hook wants are done when stored. */
  hasActionHooks: (type: string) => boolean;
  /** Whether any filter hook subscribes: without one, a waiting POST has no chain to run. */
  hasFilterHooks: (type: string) => boolean;
  /**
   * Runs the type's filter hooks on a checked, not yet stored event; `also` writes the chain's
   * invocation records, `emits` is what its hooks emitted (stored with the event, after it).
   */
  runFilterChain: (event: NewEvent) => Promise<{ output: FilterChainOutput; also: AlsoInTransaction; emits: EmittedByRun[] }>;
  /** Takes newly stored events (it runs the pending ones' action hooks). */
  submit: (events: EventRecord[]) => void;
}

/** An event hookd stores on its own account (hook emits, hook.executed, webhook notices, integration bodies). */
export interface RaisedEvent {
  type: string;
  payload: unknown;
  source: string;
  /** A fresh UUID, made by the caller when another event of the same commit names it (causationId). */
  id?: string;
  causationId?: string;
  depth?: number;
  emittedBy?: string[];
}
