// Events that wait for their filter chain (POST ?wait=true, or a type marked sync): the chain
// runs before the event is stored; the event service then commits the event (with its final
// payload), the chain's invocation records, what its hooks emitted and the webhook outbox rows
// together.
import type { AlsoInTransaction } from '../db/event-writer.ts';
import type { NewEvent } from '../db/events-store.ts';
import type { InvocationsStore, NewInvocation } from '../db/invocations-store.ts';
import type { EmittedByRun } from '../events/ports.ts';
import type { ChainOutput, FilterChain } from './filter-chain.ts';
import type { HookRegistry } from './hook-registry.ts';

export interface FilteringDeps {
  invocations: InvocationsStore;
  registry: HookRegistry;
  runFilterChain: FilterChain;
}

export interface Filtered {
  output: ChainOutput;
  /** The chain's invocation records, written in the event's own transaction. */
  also: AlsoInTransaction;
  /** What the chain's hooks emitted: stored in the event's own commit, after it (the event service). */
  emits: EmittedByRun[];
}

export function createFiltering(deps: FilteringDeps) {
  return {
    /** Runs the type's filter hooks on a checked, not yet stored event (the event service stores it). */
    async runFilterChain(event: NewEvent): Promise<Filtered> {
      const emittedBy = event.emittedBy ?? [];
      const hooks = deps.registry.forEvent(event.type, 'filter').filter((h) => !emittedBy.includes(h.id));
      const invocations: NewInvocation[] = [];
      const emits: EmittedByRun[] = [];
      const output = await deps.runFilterChain(
        { id: event.id, type: event.type, occurredAt: event.occurredAt, payload: event.payload },
        hooks,
        { collect: invocations, emits },
      );
      return { output, also: (trx) => deps.invocations.insertMany(invocations, trx), emits };
    },
  };
}

export type Filtering = ReturnType<typeof createFiltering>;
