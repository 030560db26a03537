// What a sender holds: every delivery it claimed until its attempt is recorded (its lease, its
// body's size, the cut of its send), queued for one of its endpoint's slots or in flight; and
// the bounds on claiming more, in rows overall and per endpoint and in body bytes.
import type { ClaimedDelivery, ClaimLimits } from '../db/deliveries-store.ts';
import type { WebhookRecord } from '../db/webhooks-store.ts';

// Claimed ahead per endpoint slot, and overall per sender slot: the overall bound is at least
// what endpoints can hold (HELD_PER_SENDER_SLOT >= HELD_PER_ENDPOINT_SLOT), so endpoints stuck
// on timeouts exhaust the send slots (raise maxConcurrency) before they could starve the
// claims of healthy ones. What an endpoint holds must outlast the claim of its refill, queued
// behind the recorder's commits on the one database connection. On a busy machine (load 10-20
// on 2 cores) 16 a slot left the queue dry on about one refill in three, idle a third of the
// time; 64 a slot halved the statements per delivery and raised the rate 1.3-2x. The cost is
// memory: up to maxConcurrency x 64 claimed rows (bodies included) held at once, 2,048 with
// the defaults.
const HELD_PER_ENDPOINT_SLOT = 64;
const HELD_PER_SENDER_SLOT = 64;
// ...and by their bodies' size: rows of 1 MiB bodies (server.bodyLimit) would otherwise hold
// 2 GiB. No claim starts past this; a claim asks for as many rows as the room left holds at
// the held rows' average size, so what is held stays near this bound whatever the bodies are.
const HELD_BYTES = 32 * 1024 * 1024;
// An endpoint's refill is claimed once a quarter of what it may hold is free, not half: a claim
// waits behind the attempt records' commits on the one SQLite connection (40-60 ms under load
// 12 on 2 cores), and the half left ran dry first, the endpoint idle a third of the time. An
// endpoint with less free is left out of the claim, so each claim takes at least a quarter.
const REFILL_WHEN_FREE = 1 / 4;

/**
 * Rows the next claim may take: the room left in rows, and in bytes at the held rows' average
 * body (none past maxBytes; with nothing held, the rows' room: there is no average yet).
 */
export function roomToClaim(r: { rowsLeft: number; heldRows: number; heldBytes: number; maxBytes: number }): number {
  if (r.rowsLeft <= 0 || r.heldBytes >= r.maxBytes) return 0;
  if (r.heldRows === 0) return r.rowsLeft;
  const average = Math.max(1, r.heldBytes / r.heldRows);
  return Math.min(r.rowsLeft, Math.max(1, Math.floor((r.maxBytes - r.heldBytes) / average)));
}

export interface Queued {
  delivery: ClaimedDelivery;
  webhook: WebhookRecord;
}

interface Held {
  webhookId: string;
  /** Until when the lease is known to hold (the claim's or the last renewal's). */
  until: number;
  /** The body's length (UTF-16 units: what the string holds in memory, near enough). */
  bytes: number;
  /** Cuts the send when the lease may be lost (set while the HTTP request is in flight). */
  cut?: AbortController;
}

export interface HeldDeliveriesDeps {
  maxConcurrency: number;
  maxConcurrencyPerEndpoint: number;
  /** Other daemons share the database (see SenderDeps.shared). */
  shared: boolean;
}

export function createHeldDeliveries(deps: HeldDeliveriesDeps) {
  const perEndpointHeld = deps.maxConcurrencyPerEndpoint * HELD_PER_ENDPOINT_SLOT;
  /** At or under this many rows queued and in flight, an endpoint's refill is claimed. */
  const refillAt = Math.floor(perEndpointHeld * (1 - REFILL_WHEN_FREE));
  const totalHeld = deps.maxConcurrency * HELD_PER_SENDER_SLOT;
  let sending = 0; // HTTP requests in flight
  const busy = new Map<string, number>(); // HTTP requests in flight per webhook
  const queues = new Map<string, Queued[]>(); // claimed, waiting for one of the webhook's slots
  const held = new Map<string, Held>(); // every delivery claimed and not yet recorded
  let heldBytes = 0; // the held rows' bodies

  const heldBy = (webhookId: string) => (busy.get(webhookId) ?? 0) + (queues.get(webhookId)?.length ?? 0);

  function release(id: string): void {
    const h = held.get(id);
    if (!h) return;
    held.delete(id);
    heldBytes -= h.bytes;
  }

  return {
    release,
    /** Rows held, queued or in flight. */
    size: () => held.size,
    sendingCount: () => sending,
    /** Whether the webhook's refill is due: what it holds is at or under refillAt. */
    wantsRefill: (webhookId: string) => heldBy(webhookId) <= refillAt,

    /** Rows the next claim may take: see roomToClaim. */
    claimRoom: () => roomToClaim({ rowsLeft: totalHeld - held.size, heldRows: held.size, heldBytes, maxBytes: HELD_BYTES }),

    /** The next claim's endpoints to leave out (holding more than refillAt) and its limits. */
    claimBounds(now: number): { excludeWebhookIds: string[]; limits: ClaimLimits } {
      const counts = new Map([...new Set([...busy.keys(), ...queues.keys()])].map((id) => [id, heldBy(id)]));
      // Held rows a claim must not take again. On PostgreSQL, those whose lease may have lapsed (a
      // live lease keeps a row out already, and each id is a statement parameter); on SQLite, where
      // the list never reaches SQL, all of them: a row whose claim was cleared while it was held (a
      // redelivery during its send) is not claimed twice.
      const skipIds = [...held].filter(([, h]) => !deps.shared || h.until <= now).map(([id]) => id);
      return {
        excludeWebhookIds: [...counts].filter(([, n]) => n > refillAt).map(([id]) => id),
        limits: { room: { max: perEndpointHeld, held: counts }, skipIds },
      };
    },

    /** Holds a claimed row, leased until `until`, at the end of its webhook's queue. */
    hold(q: Queued, until: number): void {
      const d = q.delivery;
      held.set(d.id, { webhookId: d.webhookId, until, bytes: d.body.length });
      heldBytes += d.body.length;
      const queue = queues.get(d.webhookId);
      if (queue) queue.push(q);
      else queues.set(d.webhookId, [q]);
    },

    /**
     * Takes queued rows, oldest claim first per webhook, while `canStart` and both concurrency
     * limits allow: a row whose lease may lapse (not `usable`) is released, the others go to `start`.
     */
    startQueued(canStart: () => boolean, usable: (id: string) => boolean, start: (q: Queued) => void): void {
      for (const [webhookId, queue] of queues) {
        while (canStart() && queue.length > 0 && sending < deps.maxConcurrency && (busy.get(webhookId) ?? 0) < deps.maxConcurrencyPerEndpoint) {
          const next = queue.shift()!;
          if (!usable(next.delivery.id)) release(next.delivery.id);
          else start(next);
        }
        if (queue.length === 0) queues.delete(webhookId);
      }
    },

    /** A held row's send takes one of the sender's slots and one of its webhook's. */
    occupySlot(id: string, webhookId: string, cut: AbortController): void {
      held.get(id)!.cut = cut;
      sending += 1;
      busy.set(webhookId, (busy.get(webhookId) ?? 0) + 1);
    },

    freeSlot(webhookId: string): void {
      sending -= 1;
      const n = (busy.get(webhookId) ?? 1) - 1;
      if (n > 0) busy.set(webhookId, n);
      else busy.delete(webhookId);
    },

    /** Until when a held row's lease is known to hold (0: not held). */
    leaseUntil: (id: string) => held.get(id)?.until ?? 0,
    ids: () => [...held.keys()],
    /** The lease of a row still held is known to hold until `until`. */
    renewed(id: string, until: number): void {
      const h = held.get(id);
      if (h) h.until = until;
    },

    /** Gives up a row whose lease may lapse: its send is cut, and if it is still queued it is dropped. */
    giveUp(id: string): void {
      const h = held.get(id);
      if (!h) return;
      // Recording may have finished it (claimed_until cleared) just before: cutting an answered send is a no-op.
      h.cut?.abort();
      const queue = queues.get(h.webhookId);
      const at = queue?.findIndex((q) => q.delivery.id === id) ?? -1;
      if (at >= 0) {
        queue!.splice(at, 1);
        release(id);
      }
    },

    /** Drops and releases what is queued for a webhook; returns the rows' ids. */
    dropQueue(webhookId: string): string[] {
      const queue = queues.get(webhookId) ?? [];
      queues.delete(webhookId);
      for (const q of queue) release(q.delivery.id);
      return queue.map((q) => q.delivery.id);
    },

    /** Cuts every send in flight. */
    cutAll(): void {
      for (const h of held.values()) h.cut?.abort();
    },
  };
}

export type HeldDeliveries = ReturnType<typeof createHeldDeliveries>;
