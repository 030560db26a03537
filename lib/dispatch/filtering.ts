// Events that wait for their filter chain (POST ?wait=true, or a type marked sync): run the
// chain, then in one transaction store the final payload and write the webhook outbox rows,
// then hand the event to action dispatch. A chain cut by a stop is finished at the next
// start with the payload as posted.
import type { Knex } from 'knex';
import type { EventRecord, EventsStore } from '../db/events-store.ts';
import { createGroupCommit } from '../db/group-commit.ts';
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

export function createFiltering(deps: FilteringDeps) {
  // Chains that end together commit together: one transaction for many events.
  // The chain's invocation records commit with the final payload: one fsync, not two.
  const commits = createGroupCommit<{ event: EventRecord; invocations: NewInvocation[] }, void>({
    maxBatchWeight: 200,
    flush: async (items) => {
      await deps.db.transaction(async (trx) => {
        await deps.invocations.insertMany(items.flatMap((i) => i.invocations), trx);
        await deps.events.finishFiltering(
          trx,
          items.map(({ event: e }) => ({ id: e.id, payload: e.finalPayload, status: e.status as 'pending' | 'done' })),
        );
        for (const { event: e } of items) await deps.enqueueDeliveries(trx, e, e.finalPayload);
      });
      return items.map(() => undefined);
    },
  });

  async function finish(event: EventRecord, payload: unknown, invocations: NewInvocation[] = []): Promise<EventRecord> {
    const status = deps.registry.hasActionHooks(event.type) ? 'pending' : 'done';
    const finished: EventRecord = { ...event, finalPayload: payload, status };
    await commits.add({ event: finished, invocations });
    deps.dispatcher.submit([finished]);
    return finished;
  }

  return {
    /** Runs the chain for a stored event in status filtering and finishes it. */
    async filter(event: EventRecord): Promise<ChainOutput> {
      const hooks = deps.registry.forEvent(event.type, 'filter').filter((h) => !event.emittedBy.includes(h.id));
      const invocations: NewInvocation[] = [];
      const output = await deps.runFilterChain(
        { id: event.id, type: event.type, occurredAt: event.occurredAt, payload: event.payload },
        hooks,
        { collect: invocations },
      );
      await finish(event, output.payload, invocations);
      return output;
    },
    /** At start: events whose chain a stop interrupted go on with their payload as posted. */
    async recover(): Promise<number> {
      const cut = await deps.events.listFiltering();
      for (const event of cut) {
        deps.log.warn({ eventId: event.id }, 'filter chain was interrupted by a stop; dispatching the payload as posted');
        await finish(event, event.payload);
      }
      return cut.length;
    },
  };
}

export type Filtering = ReturnType<typeof createFiltering>;
