// The leases of a sender's held deliveries: how long a claim lasts, renewal every third of that
// while held (several daemons), which held rows may still be sent, and giving claims back to
// come due later. Side effect: the renewal timer, between startRenewal() and stopRenewal().
import type { DeliveriesStore } from '../db/deliveries-store.ts';
import type { Logger } from '../log.ts';
import type { HeldDeliveries } from './held-deliveries.ts';

// Rows are claimed ahead of their send (a claim per row would cost a transaction per
// delivery), so a lease covers waiting in the local queue too, renewed while the row is held.
// A row held here is never claimed twice in this process; a crashed daemon's leases expire
// (on SQLite, one daemon per file, they are released at start, and a lease is an hour, never
// renewed: it only keeps a claim from being taken again while this process holds the row).
const LOCAL_LEASE_MS = 3_600_000;
// A row whose attempt could not be recorded (or whose endpoint could not be read) comes due
// again after this pause rather than at once: a failing database is not hammered.
const RELEASE_DELAY_MS = 30_000;

export interface SenderLeasesDeps {
  deliveries: DeliveriesStore;
  held: HeldDeliveries;
  log: Logger;
  owner: string;
  leaseTtlMs: number;
  shared: boolean;
}

export function createSenderLeases(deps: SenderLeasesDeps) {
  const leaseMs = deps.shared ? deps.leaseTtlMs : LOCAL_LEASE_MS;
  const renewEveryMs = Math.max(1, Math.floor(leaseMs / 3));
  let renewTimer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> | undefined;
  let running = false;

  /** Whether a held row may be sent: its lease cannot lapse before the next renewal. */
  const leaseHolds = (id: string) => !deps.shared || deps.held.leaseUntil(id) - Date.now() > renewEveryMs;

  /**
   * Renews this daemon's leases; a held row the database no longer lists as ours (or, when the
   * renewal fails, one whose lease may lapse before the next) is dropped from its queue and its
   * send in flight is cut, before another daemon could take it over.
   */
  async function renewLeases(): Promise<void> {
    if (deps.held.size() === 0) return;
    const before = deps.held.ids();
    const until = Date.now() + leaseMs;
    try {
      const mine = new Set(await deps.deliveries.renewClaims(deps.owner, until));
      for (const id of before) if (mine.has(id)) deps.held.renewed(id, until);
    } catch (err) {
      deps.log.warn({ err }, 'webhook sender: renewing delivery leases failed; a lease that may lapse is given up');
    }
    for (const id of before) if (!leaseHolds(id)) deps.held.giveUp(id);
  }

  function scheduleRenewal(): void {
    renewTimer = setTimeout(() => {
      renewing = renewLeases().finally(() => {
        renewing = undefined;
        if (running) scheduleRenewal();
      });
    }, renewEveryMs);
  }

  return {
    /** How long a claim lasts from now (an hour on SQLite, where it is never renewed). */
    leaseMs,
    leaseHolds,
    /** Renews the leases while the sender runs (several daemons only: on SQLite they are this process's). */
    startRenewal(): void {
      running = true;
      if (deps.shared) scheduleRenewal();
    },
    /** Stops renewing; resolves once a renewal in flight has ended. */
    stopRenewal(): Promise<void> | undefined {
      running = false;
      clearTimeout(renewTimer);
      return renewing;
    },
    /** Frees claimed rows to come due after a pause; failing that, they keep their lease until the next start. */
    async releaseLater(ids: string[]): Promise<void> {
      const now = Date.now();
      for (const id of ids) {
        await deps.deliveries
          .update(id, { claimedUntil: null, nextAttemptAt: now + RELEASE_DELAY_MS }, now, undefined, 'pending')
          .catch((err: unknown) => deps.log.error({ err, deliveryId: id }, 'webhook sender: releasing a claim failed'));
      }
    },
  };
}

export type SenderLeases = ReturnType<typeof createSenderLeases>;
