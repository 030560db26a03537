// Dispatch of stored business events to action hooks: for each pending event, with bounded
// concurrency, run its action hooks, then mark it done (group-committed across events).
// Fresh events are handed over in memory; the database is scanned only at start (events
// left pending by a stop) and after an overflow. Webhook deliveries are not written here:
// they commit with the event itself (see db/event-writer.ts). A done-mark the storage refuses
// (a full disk) is retried later; the event stays pending meanwhile and is not run again.
// Several daemons on one database (`claims` given): an event is leased to one daemon before its
// hooks run (renewed every third of the lease while held), the database is scanned for events
// nobody holds as often, and a dead daemon's leases expire and are taken over: hooks run
// once when nobody dies, at least once when a daemon dies mid-hook.
import type { Knex } from 'knex';
import type { EventRecord, EventsStore } from '../db/events-store.ts';
import { createGroupCommit } from '../db/group-commit.ts';
import { retryOnStorageFailure } from '../db/storage-retry.ts';
import { payloadAt } from '../events/index.ts';
import type { Logger } from '../log.ts';

export interface DispatcherDeps {
  db: Knex;
  events: EventsStore;
  log: Logger;
  concurrency: number;
  /** Runs the event's action hooks with the final payload; must not throw. */
  runActions: (event: EventRecord, payload: unknown) => Promise<void>;
  /** Aborted at stop: a done-mark's storage retries end (the event stays pending for the next start). */
  stopSignal: AbortSignal;
  /** Set when other daemons share the database: this one's instance id and lease length. */
  claims?: { owner: string; leaseTtlMs: number };
}

const PAGE = 200;
// Past this many queued events, new ones stay in the database only and are found by a scan
// once the queue has drained: memory stays bounded whatever the producers do.
const MAX_QUEUED = 10_000;

export function createDispatcher(deps: DispatcherDeps) {
  const queue: EventRecord[] = [];
  const known = new Set<string>(); // queued or in flight
  const inFlight = new Set<Promise<void>>();
  let overflowed = false;
  let scanning: Promise<void> | undefined;
  let stopped = false;

  const completions = createGroupCommit<string, void>({
    maxBatchWeight: 500,
    flush: async (ids) => {
      await deps.events.markDone(ids);
      return ids.map(() => undefined);
    },
  });

  const claims = deps.claims;
  let claimTimer: NodeJS.Timeout | undefined;
  let renewing: Promise<unknown> | undefined;
  // Leases taken together for the events starting at once: one UPDATE serves them all.
  const claiming = createGroupCommit<string, boolean>({
    maxBatchWeight: 500,
    flush: async (ids) => {
      const now = Date.now();
      const got = await deps.events.claim(ids, { owner: claims!.owner, now, until: now + claims!.leaseTtlMs });
      return ids.map((id) => got.has(id));
    },
  });

  async function dispatchOne(event: EventRecord): Promise<void> {
    const payload = payloadAt(event, 'final');
    try {
      // Another daemon holds it (or has done it): it is that daemon's to run.
      if (claims && !(await claiming.add(event.id))) return;
      await deps.runActions(event, payload);
      await retryOnStorageFailure(() => completions.add(event.id), {
        signal: deps.stopSignal,
        onFailure: (err, attempt, retryInMs) =>
          deps.log.warn({ err, eventId: event.id, attempt, retryInMs }, 'could not mark an event dispatched: storage failed; retrying'),
      });
    } catch (err) {
      // The event stays pending in the database and is dispatched again after a restart.
      deps.log.error({ err, eventId: event.id }, 'dispatch failed; the event stays pending');
    }
  }

  function pump(): void {
    while (!stopped && inFlight.size < deps.concurrency && queue.length > 0) {
      const event = queue.shift()!;
      const run: Promise<void> = dispatchOne(event).finally(() => {
        inFlight.delete(run);
        known.delete(event.id);
        pump();
      });
      inFlight.add(run);
    }
    if (queue.length === 0 && overflowed) scan();
  }

  function submit(events: EventRecord[]): void {
    for (const event of events) {
      if (stopped || known.has(event.id) || event.status !== 'pending') continue;
      if (queue.length >= MAX_QUEUED || overflowed) {
        overflowed = true;
        continue;
      }
      known.add(event.id);
      queue.push(event);
    }
    pump();
  }

  /** Finds pending events that are neither queued nor in flight (start, overflow). */
  function scan(): void {
    if (scanning || stopped) return;
    overflowed = false;
    scanning = (async () => {
      let afterSeq = 0;
      while (!stopped && queue.length < MAX_QUEUED) {
        const page = claims ? await deps.events.listClaimable(PAGE, afterSeq, Date.now()) : await deps.events.listPending(PAGE, afterSeq);
        if (page.length === 0) return;
        afterSeq = page.at(-1)!.seq;
        submit(page.filter((e) => !known.has(e.id)));
      }
      if (queue.length >= MAX_QUEUED) overflowed = true;
    })()
      .catch((err: unknown) => deps.log.error({ err }, 'scanning pending events failed'))
      .finally(() => {
        scanning = undefined;
        pump();
      });
  }

  /** Shared database: renews this daemon's leases, and looks for events nobody holds (a dead daemon's, another's overflow). */
  function tickClaims(): void {
    const every = Math.max(1, Math.floor(claims!.leaseTtlMs / 3));
    claimTimer = setTimeout(() => {
      renewing = deps.events
        .renewClaims(claims!.owner, Date.now() + claims!.leaseTtlMs)
        .catch((err: unknown) => deps.log.warn({ err }, 'renewing event leases failed; another daemon may run these events once they expire'))
        .finally(() => {
          renewing = undefined;
          if (stopped) return;
          scan();
          tickClaims();
        });
    }, every);
  }

  return {
    submit,
    /** Dispatches what an earlier run left pending (and, on a shared database, keeps claiming). */
    start(): void {
      scan();
      if (claims) tickClaims();
    },
    /** Whether anything is queued, scanning or in flight now. */
    busy: () => scanning !== undefined || inFlight.size > 0 || queue.length > 0,
    /** Resolves when nothing is queued, scanning or in flight (tests and graceful stop). */
    async idle(): Promise<void> {
      while (scanning || inFlight.size > 0 || queue.length > 0) {
        await scanning;
        await Promise.all(inFlight);
      }
    },
    /** Finishes what is in flight; queued events stay pending in the database for the next start. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(claimTimer);
      queue.length = 0;
      await scanning;
      await Promise.all(inFlight);
      await completions.drain();
      await renewing;
      // What this daemon still holds (a done-mark the storage refused) is another's to run at once.
      if (claims) await deps.events.releaseClaims(claims.owner).catch((err: unknown) => deps.log.warn({ err }, 'releasing event leases at stop failed; they expire'));
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
