// The webhooks table: endpoints with their patterns, secrets (current and, during a rotation
// grace, the previous one), extra headers, state and consecutive-failure count. Plain records.
import type { Knex } from 'knex';
import { afterKeyset, readBoundedPage, textBytes, type KeysetPosition } from './bounded-page.ts';
import { insertUnderCap } from './capped-insert.ts';
import { storableText } from './dialect.ts';

export interface WebhookRecord {
  id: string;
  url: string;
  events: string[];
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  description: string | null;
  headers: Record<string, string>;
  timeoutMs: number | null;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  version: number;
  createdAt: number;
  updatedAt: number;
}

interface WebhookRow {
  id: string;
  url: string;
  events: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  description: string | null;
  headers: string | null;
  timeout_ms: number | null;
  enabled: number | boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  version: number;
  created_at: number;
  updated_at: number;
}

/** The fields PATCH and state changes may set. */
export type WebhookChanges = Partial<
  Pick<
    WebhookRecord,
    'url' | 'events' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt' | 'description' | 'headers' | 'timeoutMs' | 'enabled' | 'disabledReason' | 'consecutiveFailures'
  >
>;

function fromRow(r: WebhookRow): WebhookRecord {
  return {
    id: r.id,
    url: r.url,
    events: JSON.parse(r.events),
    secret: r.secret,
    previousSecret: r.previous_secret,
    previousSecretExpiresAt: r.previous_secret_expires_at === null ? null : Number(r.previous_secret_expires_at),
    description: r.description,
    headers: r.headers ? JSON.parse(r.headers) : {},
    timeoutMs: r.timeout_ms,
    enabled: Boolean(r.enabled),
    disabledReason: r.disabled_reason,
    consecutiveFailures: r.consecutive_failures,
    version: r.version,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toRow(c: WebhookChanges): Partial<WebhookRow> {
  const row: Partial<WebhookRow> = {};
  if (c.url !== undefined) row.url = c.url;
  if (c.events !== undefined) row.events = JSON.stringify(c.events);
  if (c.secret !== undefined) row.secret = c.secret;
  if (c.previousSecret !== undefined) row.previous_secret = c.previousSecret;
  if (c.previousSecretExpiresAt !== undefined) row.previous_secret_expires_at = c.previousSecretExpiresAt;
  if (c.description !== undefined) row.description = c.description;
  if (c.headers !== undefined) row.headers = JSON.stringify(c.headers);
  if (c.timeoutMs !== undefined) row.timeout_ms = c.timeoutMs;
  if (c.enabled !== undefined) row.enabled = c.enabled;
  if (c.disabledReason !== undefined) row.disabled_reason = storableText(c.disabledReason);
  if (c.consecutiveFailures !== undefined) row.consecutive_failures = c.consecutiveFailures;
  return row;
}

type NewWebhook = Omit<WebhookRecord, 'version' | 'consecutiveFailures' | 'disabledReason'> & { disabledReason?: string | null };

function newRow(w: NewWebhook): WebhookRow {
  return {
    id: w.id,
    ...toRow({ ...w, disabledReason: w.disabledReason ?? null }),
    consecutive_failures: 0,
    version: 1,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  } as WebhookRow;
}

// The listing's order: oldest first, the id telling apart endpoints created in the same millisecond.
const LISTING_ORDER = ['created_at', 'id'] as const;
// An endpoint's text columns, what bounds a page of endpoints (bounded-page.ts).
const LISTED_BYTES = textBytes('url', 'events', 'description', 'headers', 'disabled_reason');

export function createWebhooksStore(db: Knex) {
  const table = (trx: Knex | Knex.Transaction = db) => trx<WebhookRow>('webhooks');

  return {
    async insert(w: NewWebhook): Promise<WebhookRecord> {
      await table().insert(newRow(w));
      return (await this.get(w.id))!;
    },

    /** Inserts unless `cap` endpoints exist already (undefined then). */
    async insertUnderCap(w: NewWebhook, cap: number): Promise<WebhookRecord | undefined> {
      return (await insertUnderCap(db, 'webhooks', cap, (trx) => table(trx).insert(newRow(w)))) ? this.get(w.id) : undefined;
    },

    async get(id: string, trx?: Knex.Transaction): Promise<WebhookRecord | undefined> {
      const row = await table(trx).where({ id }).first();
      return row && fromRow(row);
    },

    async getMany(ids: readonly string[], trx?: Knex.Transaction): Promise<WebhookRecord[]> {
      if (ids.length === 0) return [];
      return (await table(trx).whereIn('id', [...ids])).map(fromRow);
    },

    /** The endpoints after `after` (an endpoint's position: createdAt and id), as many as fit `limit` and `maxBytes`. */
    async listPage(page: { limit: number; maxBytes: number; after?: KeysetPosition }): Promise<{ items: WebhookRecord[]; more: boolean }> {
      const query = afterKeyset(table().orderBy([...LISTING_ORDER]), LISTING_ORDER, page.after);
      const { rows, more } = await readBoundedPage<WebhookRow>(db, query, { key: 'id', size: LISTED_BYTES, limit: page.limit, maxBytes: page.maxBytes });
      return { items: rows.map(fromRow), more };
    },

    async listIds(): Promise<string[]> {
      return (await table().select('id')).map((r: { id: string }) => r.id);
    },

    async listEnabled(trx?: Knex.Transaction): Promise<WebhookRecord[]> {
      return (await table(trx).where('enabled', true)).map(fromRow);
    },

    /** Applies changes and bumps the version; returns the new record (undefined when gone). */
    async update(id: string, changes: WebhookChanges, now: number, trx?: Knex.Transaction): Promise<WebhookRecord | undefined> {
      await table(trx)
        .where({ id })
        .update({ ...toRow(changes), updated_at: now, version: db.raw('version + 1') as unknown as number });
      return this.get(id, trx);
    },

    /** Counts one more failed delivery; returns the new count. */
    async incrementFailures(id: string, trx: Knex.Transaction): Promise<number> {
      await table(trx).where({ id }).increment('consecutive_failures', 1);
      const row = await table(trx).where({ id }).first('consecutive_failures');
      return row?.consecutive_failures ?? 0;
    },

    async resetFailures(id: string, trx: Knex.Transaction): Promise<void> {
      await table(trx).where({ id }).whereNot('consecutive_failures', 0).update({ consecutive_failures: 0 });
    },

    async remove(id: string, trx?: Knex.Transaction): Promise<boolean> {
      return (await table(trx).where({ id }).delete()) > 0;
    },
  };
}

export type WebhooksStore = ReturnType<typeof createWebhooksStore>;
