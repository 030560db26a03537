// The outbox sender: claims due deliveries (a lease in claimed_until, named by claimed_by), sends
// each one signed, and hands the result to the outcome recorder. Concurrency is bounded overall
// and per endpoint (per daemon), so a slow or dead endpoint holds only its own slots. Leases are
// renewed every third of their length while held; a row whose lease this daemon may have lost
// is never sent, and its send in flight is cut: one delivery is never sent by two daemons at once.
// Built here from its parts: held-deliveries, sender-leases, sender-claim, delivery-send, sender-pump.
import type { DeliveriesStore } from '../db/deliveries-store.ts';
import type { WebhooksStore } from '../db/webhooks-store.ts';
import type { Logger } from '../log.ts';
import type { WebhookAttempt } from '../metrics/index.ts';
import { createDeliverySend } from './delivery-send.ts';
import { createHeldDeliveries } from './held-deliveries.ts';
import type { HttpSender } from './http-send.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';
import { createSenderClaim } from './sender-claim.ts';
import { createSenderLeases } from './sender-leases.ts';
import { createSenderPump } from './sender-pump.ts';

/** The longest timeout an endpoint may set. */
export const MAX_ENDPOINT_TIMEOUT_MS = 120_000;

export interface SenderDeps {
  deliveries: DeliveriesStore;
  webhooks: WebhooksStore;
  http: HttpSender;
  recorder: OutcomeRecorder;
  log: Logger;
  defaultTimeoutMs: number;
  maxConcurrency: number;
  maxConcurrencyPerEndpoint: number;
  /**
   * How long an idle sender waits before it looks for due rows again when nothing wakes it
   * sooner (webhooks.pollInterval on SQLite; on PostgreSQL webhooks.safetyPoll: notifications
   * wake it there, see notified()).
   */
  pollIntervalMs: number;
  /** This daemon's instance id: its claims carry it. */
  owner: string;
  /** How long a claim lasts unless renewed (storage.leaseTtl). */
  leaseTtlMs: number;
  /**
   * Other daemons share the database (PostgreSQL): leases are renewed while held and a row whose
   * lease may lapse is not sent. Otherwise (SQLite, one daemon per file) a held row is this
   * process's until it is recorded, and every lease is released at start.
   */
  shared: boolean;
  /** Told of every attempt whose outcome was recorded (GET /metrics). */
  observeAttempt: (attempt: WebhookAttempt) => void;
}

export function createSender(deps: SenderDeps) {
  const held = createHeldDeliveries(deps);
  const leases = createSenderLeases({ ...deps, held });
  const claim = createSenderClaim({ ...deps, held, leaseMs: leases.leaseMs, releaseLater: leases.releaseLater });
  const sendDelivery = createDeliverySend({ ...deps, releaseLater: leases.releaseLater });
  const pump = createSenderPump({ ...deps, held, claim, sendDelivery, leaseHolds: leases.leaseHolds });

  return {
    wake: pump.wake,
    notified: pump.notified,
    /** Releases leases left by a previous run (this daemon's own; on SQLite all of them), then starts claiming. */
    async start(): Promise<void> {
      if (deps.shared) await deps.deliveries.releaseOwnClaims(deps.owner);
      else await deps.deliveries.releaseAllClaims();
      leases.startRenewal();
      pump.start();
    },
    /** Drops what is queued for a webhook (changed, disabled or deleted); it is claimed afresh. */
    forget(webhookId: string): void {
      claim.forgetEndpoint(webhookId);
      const ids = held.dropQueue(webhookId);
      deps.deliveries.releaseClaims(ids, deps.owner).then(
        () => pump.wake(),
        (err: unknown) => deps.log.error({ err, webhookId }, 'webhook sender: releasing claims failed'),
      );
    },
    /** Stops claiming, cuts in-flight sends (they stay owed) and waits for recording to end. */
    async stop(): Promise<void> {
      const pumping = pump.halt();
      const renewing = leases.stopRenewal();
      // Each send has its own cut (not AbortSignal.any with a stop signal: that left one dependant
      // per send on the long-lived signal, swept only by GC).
      held.cutAll();
      await pumping;
      await renewing;
      await pump.sendsSettled();
      await deps.recorder.drain();
      // Queued rows are given back at once, for another daemon or the next start.
      await deps.deliveries.releaseOwnClaims(deps.owner).catch((err: unknown) => deps.log.warn({ err }, 'webhook sender: releasing leases at stop failed; they expire'));
    },
    /** Requests in flight now. */
    sendingCount: held.sendingCount,
  };
}

export type Sender = ReturnType<typeof createSender>;
