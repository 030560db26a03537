// A sender's claim of due deliveries: within the room its held rows leave (held-deliveries.ts),
// the claimed rows are held and queued with their endpoints, read only when a claim saw a newer
// version than the one kept here. A row whose endpoint was disabled meanwhile is given back.
import type { ClaimedDelivery, ClaimQuery, DeliveriesStore } from '../db/deliveries-store.ts';
import type { WebhookRecord, WebhooksStore } from '../db/webhooks-store.ts';
import type { HeldDeliveries } from './held-deliveries.ts';

export interface SenderClaimDeps {
  deliveries: DeliveriesStore;
  webhooks: WebhooksStore;
  held: HeldDeliveries;
  owner: string;
  shared: boolean;
  /** How long a claim lasts from now (sender-leases.ts). */
  leaseMs: number;
  /** Gives claims back to come due after a pause (sender-leases.ts). */
  releaseLater: (ids: string[]) => Promise<void>;
}

export function createSenderClaim(deps: SenderClaimDeps) {
  // Several daemons: the claim also reads when the next row comes due (the sender's timer, as
  // notifications wake it); one daemon reads that only when it goes idle (the pump's end).
  const claimDueRows = deps.shared
    ? deps.deliveries.claimDueOrNext
    : async (q: ClaimQuery) => ({ claimed: await deps.deliveries.claimDue(q), nextDueAt: undefined });

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
        await deps.releaseLater(claimed.map((d) => d.id));
        throw err;
      }
    }
    return endpoints;
  }

  return {
    /**
     * Claims up to `room` due rows and holds them, queued for their endpoints. Returns how many
     * were claimed and, when none was due (on PostgreSQL), when a claim may next find one.
     */
    async claim(room: number): Promise<{ claimed: number; nextDueAt?: number }> {
      const now = Date.now();
      const { claimed, nextDueAt } = await claimDueRows({
        owner: deps.owner,
        now,
        leaseUntil: now + deps.leaseMs,
        candidates: Math.min(room, 500),
        ...deps.held.claimBounds(now),
      });
      if (claimed.length === 0) return { claimed: 0, nextDueAt };
      const webhooks = await loadWebhooks(claimed);
      const disabled: string[] = [];
      for (const d of claimed) {
        const webhook = webhooks.get(d.webhookId);
        if (!webhook) continue; // deleted between claim and load: its rows are gone too
        if (!webhook.enabled) {
          disabled.push(d.id); // disabled while it was claimed: given back, not sent
          continue;
        }
        deps.held.hold({ delivery: d, webhook }, d.claimedUntil ?? now + deps.leaseMs);
      }
      if (disabled.length > 0) await deps.deliveries.releaseClaims(disabled, deps.owner);
      return { claimed: claimed.length };
    },
    /** Forgets a webhook's kept record (changed, disabled or deleted): the next claim reads it. */
    forgetEndpoint(webhookId: string): void {
      endpoints.delete(webhookId);
    },
  };
}

export type SenderClaim = ReturnType<typeof createSenderClaim>;
