// Dispatch of stored business events: for each pending event, in arrival order and with
// bounded concurrency, run its action hooks, then in one transaction write its webhook
// deliveries (the outbox) and mark it done. Pending events left by a stop run after restart.
import type { Knex } from 'knex';
import type { EventRecord, EventsStore } from '../db/events-store.ts';
import type { Logger } from '../log.ts';

export interface DispatchStages {
  /** Runs the event's action hooks with the final payload; must not throw. */
  runActions?: (event: EventRecord, payload: unknown) => Promise<void>;
  /** Writes the event's outbox rows inside the transaction that marks it done. */
  enqueueDeliveries?: (trx: Knex.Transaction, event: EventRecord, payload: unknown) => Promise<void>;
}

export interface DispatcherDeps {
  db: Knex;
  events: EventsStore;
  log: Logger;
  concurrency: number;
  stages: DispatchStages;
}

const PAGE = 200;

export function createDispatcher(deps: DispatcherDeps) {
  const inFlight = new Map<string, Promise<void>>();
  let scanning: Promise<void> | undefined;
  let rescan = false;
  let stopped = false;

  async function dispatchOne(event: EventRecord): Promise<void> {
    const payload = event.finalPayload === undefined ? event.payload : event.finalPayload;
    try {
      await deps.stages.runActions?.(event, payload);
      await deps.db.transaction(async (trx) => {
        await deps.stages.enqueueDeliveries?.(trx, event, payload);
        await deps.events.markDone(event.id, trx);
      });
    } catch (err) {
      // The event stays pending and is tried again on the next scan or after a restart.
      deps.log.error({ err, eventId: event.id }, 'dispatch failed; the event stays pending');
    }
  }

  async function scan(): Promise<void> {
    let afterSeq = 0;
    while (!stopped) {
      const page = await deps.events.listPending(PAGE, afterSeq);
      if (page.length === 0) break;
      for (const event of page) {
        afterSeq = event.seq;
        if (inFlight.has(event.id)) continue;
        while (inFlight.size >= deps.concurrency) await Promise.race(inFlight.values());
        if (stopped) return;
        const run = dispatchOne(event).finally(() => inFlight.delete(event.id));
        inFlight.set(event.id, run);
      }
    }
  }

  function wake(): void {
    if (stopped) return;
    if (scanning) {
      rescan = true;
      return;
    }
    scanning = scan()
      .catch((err: unknown) => deps.log.error({ err }, 'dispatch scan failed'))
      .finally(() => {
        scanning = undefined;
        if (rescan) {
          rescan = false;
          wake();
        }
      });
  }

  return {
    wake,
    /** Resolves when nothing is scanning or in flight (tests and graceful stop). */
    async idle(): Promise<void> {
      while (scanning || inFlight.size > 0) {
        await scanning;
        await Promise.all(inFlight.values());
      }
    },
    async stop(): Promise<void> {
      stopped = true;
      await scanning;
      await Promise.all(inFlight.values());
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
