// Events that wait for their filter chain (POST ?wait=true, or a type marked sync): the chain
// runs before the event is stored; the event service then commits the event (with its final
// payload), the chain's invocation records and the webhook outbox rows together. Events a crash left in the "filtering" state by an older
// version, which stored first, are finished at the next start with the payload as posted.
import type { Knex } from 'knex';
import type { AlsoInTransaction } from '../db/event-writer.ts';
import type { EventRecord, EventsStore, NewEvent } from '../db/events-store.ts';
import type { InvocationsStore, NewInvocation } from '../db/invocations-store.ts';
import type { Logger } from '../log.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { ChainOutput, FilterChain } from './filter-chain.ts';
import type { HookRegistry } from './hook-registry.ts';

export interface FilteringDeps {
  db: Knex;
  events: EventsStore;
  invocations: InvocationsStore;
  registry: HookRegistry;
  runFilterChain: FilterChain;
  dispatcher: Dispatcher;
  log: Logger;
  enqueueDeliveries: (trx: Knex.Transaction, event: EventRecord, payload: unknown) => Promise<void>;
}

export interface Filtered {
  output: ChainOutput;
  /** The chain's invocation records, written in the event's own transaction. */
  also: AlsoInTransaction;
}

export function createFiltering(deps: FilteringDeps) {
  const nextStatus = (type: string) => (deps.registry.hasActionHooks(type) ? 'pending' : 'done');

  return {
    /** Runs the type's filter hooks on a checked, not yet stored event (the event service stores it). */
    async runFilterChain(event: NewEvent): Promise<Filtered> {
      const emittedBy = event.emittedBy ?? [];
      const hooks = deps.registry.forEvent(event.type, 'filter').filter((h) => !emittedBy.includes(h.id));
      const invocations: NewInvocation[] = [];
      const output = await deps.runFilterChain(
        { id: event.id, type: event.type, occurredAt: event.occurredAt, payload: event.payload },
        hooks,
        { collect: invocations },
      );
      return { output, also: (trx) => deps.invocations.insertMany(invocations, trx) };
    },

    /** At start: events whose chain a stop interrupted go on with their payload as posted. */
    async recover(): Promise<number> {
      const cut = await deps.events.listFiltering();
      for (const event of cut) {
        deps.log.warn({ eventId: event.id }, 'filter chain was interrupted by a stop; dispatching the payload as posted');
        const status = nextStatus(event.type);
        await deps.db.transaction(async (trx) => {
          await deps.events.finishFiltering(trx, [{ id: event.id, payload: event.payload, status }]);
          await deps.enqueueDeliveries(trx, event, event.payload);
        });
        deps.dispatcher.submit([{ ...event, finalPayload: event.payload, status }]);
      }
      return cut.length;
    },
  };
}

export type Filtering = ReturnType<typeof createFiltering>;
