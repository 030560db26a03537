// Group commit for event ingestion: concurrent POSTs queue their events and one transaction
// writes everything queued, so an fsync is paid per batch instead of per request.
import type { EventsStore, InsertResult, NewEvent } from './events-store.ts';

interface Pending {
  events: NewEvent[];
  resolve: (results: InsertResult[]) => void;
  reject: (error: unknown) => void;
}

const MAX_EVENTS_PER_COMMIT = 1000;

export function createEventWriter(deps: { store: EventsStore }) {
  let queue: Pending[] = [];
  let flushing: Promise<void> | undefined;

  async function flushLoop(): Promise<void> {
    while (queue.length > 0) {
      const batch: Pending[] = [];
      let count = 0;
      while (queue.length > 0 && (batch.length === 0 || count + queue[0]!.events.length <= MAX_EVENTS_PER_COMMIT)) {
        const next = queue.shift()!;
        batch.push(next);
        count += next.events.length;
      }
      try {
        const results = await deps.store.insertMany(batch.flatMap((p) => p.events));
        let offset = 0;
        for (const p of batch) {
          p.resolve(results.slice(offset, offset + p.events.length));
          offset += p.events.length;
        }
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  return {
    /** Resolves once the events are committed; results are in the order given. */
    write(events: NewEvent[]): Promise<InsertResult[]> {
      return new Promise((resolve, reject) => {
        queue.push({ events, resolve, reject });
        // While a commit runs, new requests queue up and go together in the next one.
        flushing ??= flushLoop().finally(() => {
          flushing = undefined;
        });
      });
    },
    /** Waits for everything queued so far to be committed. */
    async drain(): Promise<void> {
      while (flushing) await flushing;
    },
  };
}

export type EventWriter = ReturnType<typeof createEventWriter>;
