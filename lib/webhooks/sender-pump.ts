// The sender's loop: what wakes it (a commit in this process, a PostgreSQL notification, its
// timer), when it claims (one claim in flight, more only when rows may be claimable), and
// starting held rows' sends within the concurrency limits as claims and finished sends allow.
// Side effect: its timer (the next due time, at most pollIntervalMs away) while it runs.
import type { DeliveriesStore } from '../db/deliveries-store.ts';
import type { Logger } from '../log.ts';
import type { SendDelivery } from './delivery-send.ts';
import type { HeldDeliveries, Queued } from './held-deliveries.ts';
import type { SenderClaim } from './sender-claim.ts';

// A claim that failed is tried again after at most this: on PostgreSQL the idle poll is the long
// safety poll, and a passing database error must not idle the sender that long.
const CLAIM_RETRY_MS = 1000;
// A busy sender told of new rows claims them within this (sooner if one of its sends ends).
const NOTIFIED_CLAIM_DELAY_MS = 100;

export interface SenderPumpDeps {
  deliveries: DeliveriesStore;
  held: HeldDeliveries;
  claim: SenderClaim;
  sendDelivery: SendDelivery;
  /** Whether a held row may be sent (sender-leases.ts). */
  leaseHolds: (id: string) => boolean;
  log: Logger;
  /** See SenderDeps.pollIntervalMs. */
  pollIntervalMs: number;
  shared: boolean;
}

export function createSenderPump(deps: SenderPumpDeps) {
  const { held } = deps;
  const tasks = new Map<string, Promise<void>>(); // from send until the attempt is recorded
  let running = false;
  let pumping: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY; // when the timer fires (none set: never)
  // Whether the database may hold claimable rows we have not seen: set by new deliveries,
  // notifications, the poll timer, and an endpoint's queue running low; cleared by a claim that
  // found none, unless rows were announced while it ran (it may have read before their commit:
  // another daemon's notification arriving during a claim was otherwise lost until the poll).
  // Without it every finished send ran a claim query that found nothing.
  let claimWanted = true;
  let announced = 0; // wakes for new rows (not for room freed by a finished send)
  // PostgreSQL: when a claim that found nothing due last read that something comes due.
  let knownNextDue: number | undefined;
  // ...and the earliest due time notified since that claim started.
  let laterDue = Number.POSITIVE_INFINITY;

  /** New rows may be claimable (a commit, a notification, the timer). */
  function wake(): void {
    announced += 1;
    wakeFor(true);
  }

  /** Another pass: with `moreWork`, a claim too (an endpoint's queue ran low). */
  function wakeFor(moreWork: boolean): void {
    if (moreWork) claimWanted = true;
    if (!running) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = pump()
      .catch((err: unknown) => {
        deps.log.error({ err }, 'webhook sender: claiming deliveries failed');
        schedule(Math.min(deps.pollIntervalMs, CLAIM_RETRY_MS));
      })
      .finally(() => {
        pumping = undefined;
        if (again) {
          again = false;
          wakeFor(false); // whoever asked for another pass has already set claimWanted
        }
      });
  }

  async function pump(): Promise<void> {
    clearTimeout(timer);
    timerAt = Number.POSITIVE_INFINITY;
    while (running) {
      startQueued();
      const room = held.claimRoom();
      if (room <= 0 || !claimWanted) break;
      // What was notified before this claim, it reads; rows announced while it runs it may not.
      knownNextDue = undefined;
      laterDue = Number.POSITIVE_INFINITY;
      const announcedBefore = announced;
      const { claimed, nextDueAt } = await deps.claim.claim(room);
      if (claimed === 0) {
        claimWanted = announced !== announcedBefore;
        if (claimWanted) continue;
        knownNextDue = nextDueAt;
        break;
      }
    }
    startQueued();
    if (!running) return;
    // With sends in flight, each completion pumps again; idle, sleep until the next retry is due
    // (on PostgreSQL the claim has read when, and a notification brings anything sooner).
    if (held.size() > 0) return schedule(deps.pollIntervalMs);
    if (deps.shared) {
      // Past already (it fell due while the claim's answer came back): claimed at once.
      const next = Math.min(knownNextDue ?? Number.POSITIVE_INFINITY, laterDue);
      knownNextDue = undefined;
      return schedule(Math.max(0, Math.min(deps.pollIntervalMs, next - Date.now())));
    }
    const next = await deps.deliveries.nextDueAt();
    const wait = next === undefined || next <= Date.now() ? deps.pollIntervalMs : Math.min(deps.pollIntervalMs, next - Date.now());
    schedule(wait);
  }

  function schedule(ms: number): void {
    clearTimeout(timer);
    timerAt = Number.POSITIVE_INFINITY;
    if (!running) return;
    timerAt = Date.now() + ms;
    timer = setTimeout(() => {
      timerAt = Number.POSITIVE_INFINITY;
      wake();
    }, ms);
  }

  /**
   * Rows became claimable in the database, due at `at` (undefined: anything may be due). Due now:
   * an idle sender claims at once (one claim in flight, at most one more after it); a busy one at
   * its next refill (a send's end) or after NOTIFIED_CLAIM_DELAY_MS, whichever comes first: every
   * daemon's commit notifies every daemon, and a busy sender claims soon anyway, so several
   * notifications make one claim. Due later: only the timer moves, no statement.
   */
  function notified(at: number | undefined): void {
    if (!running) return;
    const wait = at === undefined ? 0 : at - Date.now();
    if (wait <= 0) {
      if (held.size() === 0 || pumping) return wake();
      announced += 1;
      claimWanted = true;
      if (timerAt > Date.now() + NOTIFIED_CLAIM_DELAY_MS) schedule(NOTIFIED_CLAIM_DELAY_MS);
      return;
    }
    laterDue = Math.min(laterDue, at!); // a claim in flight may have read before this commit
    if (held.size() === 0 && !pumping && at! < timerAt) schedule(wait);
  }

  /**
   * Starts queued sends, oldest claim first per webhook, within both concurrency limits. A lease
   * that may lapse before the next renewal is not used: the row is dropped here and comes due to
   * whichever daemon claims it after it expires.
   */
  function startQueued(): void {
    held.startQueued(() => running, deps.leaseHolds, start);
  }

  function start(q: Queued): void {
    const d = q.delivery;
    const cut = new AbortController();
    held.occupySlot(d.id, d.webhookId, cut);
    let freed = false;
    // The endpoint's slot frees when its answer is in, not when the attempt is committed:
    // recording is group-committed meanwhile, and the row stays held until it is.
    const freeSlot = () => {
      if (freed) return;
      freed = true;
      held.freeSlot(d.webhookId);
      // Start what is already claimed at once: waiting for the pump would gate every send on
      // the claim query in flight, itself queued behind the recorder's transaction.
      startQueued();
      wakeFor(held.wantsRefill(d.webhookId));
    };
    const done = deps
      .sendDelivery(q, cut.signal, freeSlot)
      .catch((err: unknown) => deps.log.error({ err, deliveryId: d.id }, 'webhook sender: an attempt failed unexpectedly'))
      .finally(() => {
        freeSlot();
        tasks.delete(d.id);
        held.release(d.id);
        wakeFor(held.wantsRefill(d.webhookId));
      });
    tasks.set(d.id, done);
  }

  return {
    wake,
    notified,
    /** Starts the loop: a first pass at once. */
    start(): void {
      running = true;
      wake();
    },
    /** Stops claiming and starting sends; resolves once a pass in flight has ended. */
    halt(): Promise<void> | undefined {
      running = false;
      clearTimeout(timer);
      return pumping;
    },
    /** Resolves once every send started has been recorded (or has failed to be). */
    sendsSettled: () => Promise.all(tasks.values()),
  };
}

export type SenderPump = ReturnType<typeof createSenderPump>;
