// The sender loop: claims due deliveries (a lease in claimed_until, named by claimed_by), sends
// each one signed, and hands the result to the outcome recorder. Concurrency is bounded overall
// and per endpoint (per daemon), so a slow or dead endpoint holds only its own slots. Leases are
// renewed every third of their length while held; a row whose lease this daemon may have lost
// is never sent, and its send in flight is cut: one delivery is never sent by two daemons at once.
import type { ClaimedDelivery, ClaimQuery, DeliveriesStore, DeliveryRecord } from '../db/deliveries-store.ts';
import type { WebhookRecord, WebhooksStore } from '../db/webhooks-store.ts';
import type { Logger } from '../log.ts';
import type { WebhookAttempt } from '../metrics/index.ts';
import type { HttpSender } from './http-send.ts';
import { attemptDelivery } from './attempt.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';

/** The longest timeout an endpoint may set. */
export const MAX_ENDPOINT_TIMEOUT_MS = 120_000;
// Rows are claimed ahead of their send (a claim per row would cost a transaction per
// delivery), so a lease covers waiting in the local queue too, renewed while the row is held.
// A row held here is never claimed twice in this process; a crashed daemon's leases expire
// (on SQLite, one daemon per file, they are released at start, and a lease is an hour, never
// renewed: it only keeps a claim from being taken again while this process holds the row).
const LOCAL_LEASE_MS = 3_600_000;
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
// A row whose attempt could not be recorded (or whose endpoint could not be read) comes due
// again after this pause rather than at once: a failing database is not hammered.
const RELEASE_DELAY_MS = 30_000;
// A claim that failed is tried again after at most this: on PostgreSQL the idle poll is the long
// safety poll, and a passing database error must not idle the sender that long.
const CLAIM_RETRY_MS = 1000;
// A busy sender told of new rows claims them within this (sooner if one of its sends ends).
const NOTIFIED_CLAIM_DELAY_MS = 100;

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

interface Queued {
  delivery: DeliveryRecord;
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

export function createSender(deps: SenderDeps) {
  const perEndpointHeld = deps.maxConcurrencyPerEndpoint * HELD_PER_ENDPOINT_SLOT;
  /** At or under this many rows queued and in flight, an endpoint's refill is claimed. */
  const refillAt = Math.floor(perEndpointHeld * (1 - REFILL_WHEN_FREE));
  const totalHeld = deps.maxConcurrency * HELD_PER_SENDER_SLOT;
  const tasks = new Map<string, Promise<void>>(); // from send until the attempt is recorded
  let sending = 0; // HTTP requests in flight
  const busy = new Map<string, number>(); // HTTP requests in flight per webhook
  const queues = new Map<string, Queued[]>(); // claimed, waiting for one of the webhook's slots
  const held = new Map<string, Held>(); // every delivery claimed and not yet recorded
  let heldBytes = 0; // the held rows' bodies
  const leaseMs = deps.shared ? deps.leaseTtlMs : LOCAL_LEASE_MS;
  const renewEveryMs = Math.max(1, Math.floor(leaseMs / 3));
  let renewTimer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> | undefined;
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

  // Several daemons: the claim also reads when the next row comes due (the sender's timer, as
  // notifications wake it); one daemon reads that only when it goes idle (pump's end).
  const claimDueRows = deps.shared
    ? deps.deliveries.claimDueOrNext
    : async (q: ClaimQuery) => ({ claimed: await deps.deliveries.claimDue(q), nextDueAt: undefined });

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

  // The endpoints of claimed rows, kept while the claim reads the same version (every change
  // of URL, headers, secrets or enabled bumps it): a claim then needs no read of its webhooks.
  const endpoints = new Map<string, WebhookRecord>();

  /** The claimed rows' endpoints; if they cannot be read, the claims are given back first. */
  async function loadWebhooks(claimed: ClaimedDelivery[]): Promise<Map<string, WebhookRecord>> {
    const stale = new Set(claimed.filter((d) => endpoints.get(d.webhookId)?.version !== d.webhookVersion).map((d) => d.webhookId));
    if (stale.size > 0) {
      try {
        for (const id of stale) endpoints.delete(id); // deleted meanwhile: not read back below
        for (const w of await deps.webhooks.getMany([...stale])) endpoints.set(w.id, w);
      } catch (err) {
        await releaseLater(claimed.map((d) => d.id));
        throw err;
      }
    }
    return endpoints;
  }

  const heldBy = (webhookId: string) => (busy.get(webhookId) ?? 0) + (queues.get(webhookId)?.length ?? 0);

  function hold(d: ClaimedDelivery, until: number): void {
    held.set(d.id, { webhookId: d.webhookId, until, bytes: d.body.length });
    heldBytes += d.body.length;
  }

  function release(id: string): void {
    const h = held.get(id);
    if (!h) return;
    held.delete(id);
    heldBytes -= h.bytes;
  }

  // Held rows a claim must not take again. On PostgreSQL, those whose lease may have lapsed (a
  // live lease keeps a row out already, and each id is a statement parameter); on SQLite, where
  // the list never reaches SQL, all of them: a row whose claim was cleared while it was held (a
  // redelivery during its send) is not claimed twice.
  const heldToSkip = (now: number) => [...held].filter(([, h]) => !deps.shared || h.until <= now).map(([id]) => id);

  const claimRoom = () => roomToClaim({ rowsLeft: totalHeld - held.size, heldRows: held.size, heldBytes, maxBytes: HELD_BYTES });

  async function pump(): Promise<void> {
    clearTimeout(timer);
    timerAt = Number.POSITIVE_INFINITY;
    while (running) {
      startQueued();
      const room = claimRoom();
      if (room <= 0 || !claimWanted) break;
      const counts = new Map([...new Set([...busy.keys(), ...queues.keys()])].map((id) => [id, heldBy(id)]));
      const now = Date.now();
      // What was notified before this claim, it reads; rows announced while it runs it may not.
      knownNextDue = undefined;
      laterDue = Number.POSITIVE_INFINITY;
      const announcedBefore = announced;
      const { claimed, nextDueAt } = await claimDueRows({
        owner: deps.owner,
        now,
        leaseUntil: now + leaseMs,
        candidates: Math.min(room, 500),
        excludeWebhookIds: [...counts].filter(([, n]) => n > refillAt).map(([id]) => id),
        limits: { room: { max: perEndpointHeld, held: counts }, skipIds: heldToSkip(now) },
      });
      if (claimed.length === 0) {
        claimWanted = announced !== announcedBefore;
        if (claimWanted) continue;
        knownNextDue = nextDueAt;
        break;
      }
      const webhooks = await loadWebhooks(claimed);
      const disabled: string[] = [];
      for (const d of claimed) {
        const webhook = webhooks.get(d.webhookId);
        if (!webhook) continue; // deleted between claim and load: its rows are gone too
        if (!webhook.enabled) {
          disabled.push(d.id); // disabled while it was claimed: given back, not sent
          continue;
        }
        hold(d, d.claimedUntil ?? now + leaseMs);
        const queue = queues.get(d.webhookId);
        if (queue) queue.push({ delivery: d, webhook });
        else queues.set(d.webhookId, [{ delivery: d, webhook }]);
      }
      if (disabled.length > 0) await deps.deliveries.releaseClaims(disabled, deps.owner);
    }
    startQueued();
    if (!running) return;
    // With sends in flight, each completion pumps again; idle, sleep until the next retry is due
    // (on PostgreSQL the claim has read when, and a notification brings anything sooner).
    if (held.size > 0) return schedule(deps.pollIntervalMs);
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
      if (held.size === 0 || pumping) return wake();
      announced += 1;
      claimWanted = true;
      if (timerAt > Date.now() + NOTIFIED_CLAIM_DELAY_MS) schedule(NOTIFIED_CLAIM_DELAY_MS);
      return;
    }
    laterDue = Math.min(laterDue, at!); // a claim in flight may have read before this commit
    if (held.size === 0 && !pumping && at! < timerAt) schedule(wait);
  }

  /** Starts queued sends, oldest claim first per webhook, within both concurrency limits. */
  function startQueued(): void {
    for (const [webhookId, queue] of queues) {
      while (running && queue.length > 0 && sending < deps.maxConcurrency && (busy.get(webhookId) ?? 0) < deps.maxConcurrencyPerEndpoint) {
        const next = queue.shift()!;
        // A lease that may lapse before the next renewal is not used: the row is dropped here and
        // comes due to whichever daemon claims it after it expires.
        if (!leaseHolds(next.delivery.id)) release(next.delivery.id);
        else start(next);
      }
      if (queue.length === 0) queues.delete(webhookId);
    }
  }

  const leaseHolds = (id: string) => !deps.shared || (held.get(id)?.until ?? 0) - Date.now() > renewEveryMs;

  function start({ delivery: d, webhook }: Queued): void {
    const cut = new AbortController();
    held.get(d.id)!.cut = cut;
    sending += 1;
    busy.set(d.webhookId, (busy.get(d.webhookId) ?? 0) + 1);
    let freed = false;
    // The endpoint's slot frees when its answer is in, not when the attempt is committed:
    // recording is group-committed meanwhile, and the row stays held until it is.
    const freeSlot = () => {
      if (freed) return;
      freed = true;
      sending -= 1;
      const n = (busy.get(d.webhookId) ?? 1) - 1;
      if (n > 0) busy.set(d.webhookId, n);
      else busy.delete(d.webhookId);
      // Start what is already claimed at once: waiting for the pump would gate every send on
      // the claim query in flight, itself queued behind the recorder's transaction.
      startQueued();
      wakeFor(heldBy(d.webhookId) <= refillAt);
    };
    const done = sendOne(d, webhook, cut.signal, freeSlot)
      .catch((err: unknown) => deps.log.error({ err, deliveryId: d.id }, 'webhook sender: an attempt failed unexpectedly'))
      .finally(() => {
        freeSlot();
        tasks.delete(d.id);
        release(d.id);
        wakeFor(heldBy(d.webhookId) <= refillAt);
      });
    tasks.set(d.id, done);
  }

  async function sendOne(d: DeliveryRecord, webhook: WebhookRecord, cut: AbortSignal, freeSlot: () => void): Promise<void> {
    const { attemptedAt, result } = await attemptDelivery(deps.http, {
      webhook,
      id: d.id,
      body: d.body,
      eventType: d.eventType,
      timeoutMs: webhook.timeoutMs ?? deps.defaultTimeoutMs,
      signal: cut,
    });
    freeSlot();
    if (result.aborted) {
      // Cut by stop() or a lease this daemon may have lost: not an attempt. The claim, if still
      // this daemon's, is released so that another daemon (or the next start) sends it again.
      await deps.deliveries.releaseClaims([d.id], deps.owner).catch(() => {});
      return;
    }
    const decision = await deps.recorder.record({ delivery: d, result, attemptedAt }).catch(async (err: unknown) => {
      // The attempt could not be committed (the database failed): the row must not sit on its
      // hour-long lease, so it is released to come due again a little later.
      deps.log.error({ err, deliveryId: d.id }, 'webhook sender: recording an attempt failed; the delivery is sent again later');
      await releaseLater([d.id]);
      return undefined;
    });
    if (decision) {
      deps.observeAttempt({ webhookId: d.webhookId, outcome: decision.state === 'retry' ? 'retrying' : decision.state, durationMs: result.durationMs });
    }
    deps.log.debug(
      { deliveryId: d.id, webhookId: d.webhookId, statusCode: result.statusCode, durationMs: result.durationMs, error: result.error, next: decision?.state },
      'webhook attempt',
    );
  }

  /**
   * Renews this daemon's leases; a held row the database no longer lists as ours (or, when the
   * renewal fails, one whose lease may lapse before the next) is dropped from its queue and its
   * send in flight is cut, before another daemon could take it over.
   */
  async function renewLeases(): Promise<void> {
    if (held.size === 0) return;
    const before = [...held.keys()];
    const until = Date.now() + leaseMs;
    try {
      const mine = new Set(await deps.deliveries.renewClaims(deps.owner, until));
      for (const id of before) {
        const h = held.get(id);
        if (h && mine.has(id)) h.until = until;
      }
    } catch (err) {
      deps.log.warn({ err }, 'webhook sender: renewing delivery leases failed; a lease that may lapse is given up');
    }
    for (const id of before) {
      const h = held.get(id);
      if (!h || leaseHolds(id)) continue;
      // Recording may have finished it (claimed_until cleared) just before: cutting an answered send is a no-op.
      h.cut?.abort();
      const queue = queues.get(h.webhookId);
      const at = queue?.findIndex((q) => q.delivery.id === id) ?? -1;
      if (at >= 0) {
        queue!.splice(at, 1);
        release(id);
      }
    }
  }

  function scheduleRenewal(): void {
    renewTimer = setTimeout(() => {
      renewing = renewLeases().finally(() => {
        renewing = undefined;
        if (running) scheduleRenewal();
      });
    }, renewEveryMs);
  }

  /** Frees claimed rows to come due after a pause; failing that, they keep their lease until the next start. */
  async function releaseLater(ids: string[]): Promise<void> {
    const now = Date.now();
    for (const id of ids) {
      await deps.deliveries
        .update(id, { claimedUntil: null, nextAttemptAt: now + RELEASE_DELAY_MS }, now, undefined, 'pending')
        .catch((err: unknown) => deps.log.error({ err, deliveryId: id }, 'webhook sender: releasing a claim failed'));
    }
  }

  return {
    wake,
    notified,
    /** Releases leases left by a previous run (see releaseAtStart), then starts claiming. */
    async start(): Promise<void> {
      if (deps.shared) await deps.deliveries.releaseOwnClaims(deps.owner);
      else await deps.deliveries.releaseAllClaims();
      running = true;
      if (deps.shared) scheduleRenewal();
      wake();
    },
    /** Drops what is queued for a webhook (changed, disabled or deleted); it is claimed afresh. */
    forget(webhookId: string): void {
      endpoints.delete(webhookId);
      const queue = queues.get(webhookId) ?? [];
      queues.delete(webhookId);
      for (const q of queue) release(q.delivery.id);
      deps.deliveries.releaseClaims(queue.map((q) => q.delivery.id), deps.owner).then(
        () => wake(),
        (err: unknown) => deps.log.error({ err, webhookId }, 'webhook sender: releasing claims failed'),
      );
    },
    /** Stops claiming, cuts in-flight sends (they stay owed) and waits for recording to end. */
    async stop(): Promise<void> {
      running = false;
      clearTimeout(timer);
      clearTimeout(renewTimer);
      // Each send has its own cut (not AbortSignal.any with a stop signal: that left one dependant
      // per send on the long-lived signal, swept only by GC).
      for (const h of held.values()) h.cut?.abort();
      await pumping;
      await renewing;
      await Promise.all(tasks.values());
      await deps.recorder.drain();
      // Queued rows are given back at once, for another daemon or the next start.
      await deps.deliveries.releaseOwnClaims(deps.owner).catch((err: unknown) => deps.log.warn({ err }, 'webhook sender: releasing leases at stop failed; they expire'));
    },
    /** Requests in flight now. */
    sendingCount: () => sending,
  };
}

export type Sender = ReturnType<typeof createSender>;
