// A claim of due deliveries as data, with the endpoint limits it applies stated once:
// PostgreSQL's one statement applies them in SQL (deliveries-claim-postgres.ts), SQLite's claim
// with pickWithinLimits below, and the shared store contract holds the two to the same choice.

/** How many rows each endpoint may still take: `max` less what the claimer holds of it. */
export interface EndpointRoom {
  max: number;
  held: ReadonlyMap<string, number>;
}

export interface ClaimLimits {
  room: EndpointRoom;
  /** Rows the claimer holds that the claim could see again (a lease that may have lapsed): not claimed. */
  skipIds: readonly string[];
}

/** The candidates, in due order, that the limits let a claim take. */
export function pickWithinLimits<D extends { id: string; webhookId: string }>(due: readonly D[], limits: ClaimLimits): D[] {
  const skip = new Set(limits.skipIds);
  const taken = new Map<string, number>();
  const picked: D[] = [];
  for (const d of due) {
    if (skip.has(d.id)) continue;
    const n = (limits.room.held.get(d.webhookId) ?? 0) + (taken.get(d.webhookId) ?? 0);
    if (n >= limits.room.max) continue;
    taken.set(d.webhookId, (taken.get(d.webhookId) ?? 0) + 1);
    picked.push(d);
  }
  return picked;
}

/** What a sender asks of a claim. */
export interface ClaimQuery {
  /** The claiming daemon's instance id (claimed_by). */
  owner: string;
  now: number;
  leaseUntil: number;
  /** Rows looked at; `limits` chooses which of them to claim. */
  candidates: number;
  excludeWebhookIds: readonly string[];
  /** Each endpoint's room and the ids left out: applied in SQL on PostgreSQL, by pickWithinLimits otherwise. */
  limits: ClaimLimits;
}
