// The hooks table: hook definitions from the API and from the hooks directory, with their
// compiled module, version, and failure bookkeeping. Returns plain records.
import type { Knex } from 'knex';
import { afterKeyset, readBoundedPage, textBytes, type KeysetPosition } from './bounded-page.ts';
import { insertUnderCap } from './capped-insert.ts';
import { storableText } from './dialect.ts';

/** The *arr apps a command hook's `arrScript` can name (lib/integrations/arr-apps.ts: db/ imports only knex). */
export type ArrScriptApp = 'radarr' | 'sonarr' | 'lidarr' | 'readarr' | 'prowlarr';

export interface HookPermissions {
  net?: string[];
  env?: string[];
  /** *arr apps for ctx.apps: "radarr", "radarr/4k". */
  apps?: string[];
}

export interface CompiledModule {
  hash: string;
  record: unknown;
  filename: string;
}

export interface HookRecord {
  id: string;
  name: string;
  origin: 'api' | 'file';
  filePath: string | null;
  kind: 'module' | 'command';
  mode: 'filter' | 'action';
  events: string[];
  priority: number;
  source: string | null;
  compiled: CompiledModule | null;
  command: string[] | null;
  env: string[];
  /** Command hooks: whose Custom Script variables the program gets. */
  arrScript: ArrScriptApp | null;
  permissions: HookPermissions;
  timeoutMs: number | null;
  limits: string | null;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** A hook as GET /hooks lists it: without the compiled module, which no answer shows. */
export type ListedHook = Omit<HookRecord, 'compiled'>;

export type HookFields = Omit<HookRecord, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'consecutiveFailures'>;

interface HookRow {
  id: string;
  name: string;
  origin: 'api' | 'file';
  file_path: string | null;
  kind: 'module' | 'command';
  mode: 'filter' | 'action';
  events: string;
  priority: number;
  source: string | null;
  compiled: string | null;
  hash: string | null;
  command: string | null;
  env: string | null;
  arr_script: string | null;
  permissions: string | null;
  timeout_ms: number | null;
  limits: string | null;
  enabled: number | boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  version: number;
  created_at: number;
  updated_at: number;
}

function fromRow(r: HookRow): HookRecord {
  const compiled = r.compiled ? (JSON.parse(r.compiled) as Omit<CompiledModule, 'hash'>) : null;
  return {
    id: r.id,
    name: r.name,
    origin: r.origin,
    filePath: r.file_path,
    kind: r.kind,
    mode: r.mode,
    events: JSON.parse(r.events),
    priority: r.priority,
    source: r.source,
    compiled: compiled && { ...compiled, hash: r.hash ?? '' },
    command: r.command ? JSON.parse(r.command) : null,
    env: r.env ? JSON.parse(r.env) : [],
    arrScript: (r.arr_script ?? null) as ArrScriptApp | null,
    permissions: r.permissions ? JSON.parse(r.permissions) : {},
    timeoutMs: r.timeout_ms,
    limits: r.limits,
    enabled: Boolean(r.enabled),
    disabledReason: r.disabled_reason,
    consecutiveFailures: r.consecutive_failures,
    version: r.version,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

// The listing's order (priority, then the unique name) and what a listed hook reads: every column
// but `compiled`, so a page's memory is bounded by what it answers.
const LISTING_ORDER = ['priority', 'name'] as const;
const LISTED_COLUMNS = ['id', 'name', 'origin', 'file_path', 'kind', 'mode', 'events', 'priority', 'source', 'command', 'env', 'arr_script', 'permissions', 'timeout_ms', 'limits', 'enabled', 'disabled_reason', 'consecutive_failures', 'version', 'created_at', 'updated_at'] as const;
// A listed hook's text columns, what bounds a page of hooks (bounded-page.ts).
const LISTED_BYTES = textBytes('source', 'command', 'events', 'env', 'permissions', 'disabled_reason', 'file_path');

function toRow(h: Partial<HookFields>): Partial<HookRow> {
  const row: Partial<HookRow> = {};
  if (h.name !== undefined) row.name = h.name;
  if (h.origin !== undefined) row.origin = h.origin;
  if (h.filePath !== undefined) row.file_path = h.filePath;
  if (h.kind !== undefined) row.kind = h.kind;
  if (h.mode !== undefined) row.mode = h.mode;
  if (h.events !== undefined) row.events = JSON.stringify(h.events);
  if (h.priority !== undefined) row.priority = h.priority;
  if (h.source !== undefined) row.source = h.source;
  if (h.compiled !== undefined) {
    row.compiled = h.compiled && JSON.stringify({ record: h.compiled.record, filename: h.compiled.filename });
    row.hash = h.compiled?.hash ?? null;
  }
  if (h.command !== undefined) row.command = h.command && JSON.stringify(h.command);
  if (h.env !== undefined) row.env = JSON.stringify(h.env);
  if (h.arrScript !== undefined) row.arr_script = h.arrScript;
  if (h.permissions !== undefined) row.permissions = JSON.stringify(h.permissions);
  if (h.timeoutMs !== undefined) row.timeout_ms = h.timeoutMs;
  if (h.limits !== undefined) row.limits = h.limits;
  if (h.enabled !== undefined) row.enabled = h.enabled;
  if (h.disabledReason !== undefined) row.disabled_reason = storableText(h.disabledReason);
  return row;
}

function newRow(id: string, fields: HookFields): HookRow {
  const now = Date.now();
  return { ...toRow(fields), id, version: 1, consecutive_failures: 0, created_at: now, updated_at: now } as HookRow;
}

export function createHooksStore(db: Knex) {
  const table = () => db<HookRow>('hooks');
  return {
    async list(): Promise<HookRecord[]> {
      return (await table().orderBy([...LISTING_ORDER])).map(fromRow);
    },
    /** The hooks after `after` (a hook's position: its priority and name), as many as fit `limit` and `maxBytes`. */
    async listPage(page: { limit: number; maxBytes: number; after?: KeysetPosition }): Promise<{ items: ListedHook[]; more: boolean }> {
      const query = afterKeyset(table().select(LISTED_COLUMNS).orderBy([...LISTING_ORDER]), LISTING_ORDER, page.after);
      const { rows, more } = await readBoundedPage<HookRow>(db, query, { key: 'id', size: LISTED_BYTES, limit: page.limit, maxBytes: page.maxBytes });
      const items = rows.map((r) => {
        const { compiled: _unread, ...hook } = fromRow(r);
        return hook;
      });
      return { items, more };
    },
    async listNames(): Promise<string[]> {
      return (await table().select('name')).map((r) => r.name);
    },
    async get(id: string): Promise<HookRecord | undefined> {
      const row = await table().where({ id }).first();
      return row && fromRow(row);
    },
    async findByName(name: string): Promise<HookRecord | undefined> {
      const row = await table().where({ name }).first();
      return row && fromRow(row);
    },
    async insert(id: string, fields: HookFields): Promise<HookRecord> {
      await table().insert(newRow(id, fields));
      return (await this.get(id))!;
    },
    /** Inserts unless `cap` hooks exist already, file hooks included (undefined then). */
    async insertUnderCap(id: string, fields: HookFields, cap: number): Promise<HookRecord | undefined> {
      return (await insertUnderCap(db, 'hooks', cap, (trx) => trx('hooks').insert(newRow(id, fields)))) ? this.get(id) : undefined;
    },
    /** Applies a change and bumps the version; a re-enable also resets the failure count. */
    async update(id: string, fields: Partial<HookFields>): Promise<HookRecord | undefined> {
      const row: Partial<HookRow> = { ...toRow(fields), updated_at: Date.now() };
      if (fields.enabled === true) {
        row.consecutive_failures = 0;
        row.disabled_reason = null;
      }
      const n = await table().where({ id }).update({ ...row, version: db.raw('version + 1') } as never);
      return n ? this.get(id) : undefined;
    },
    async remove(id: string): Promise<boolean> {
      return (await table().where({ id }).delete()) > 0;
    },
    /** Counts a failure; disables the hook when it reaches `limit`. Returns the new count. */
    async recordFailure(id: string, limit: number, reason: string): Promise<{ failures: number; disabled: boolean }> {
      return db.transaction(async (trx) => {
        await trx<HookRow>('hooks').where({ id }).increment('consecutive_failures', 1);
        const row = await trx<HookRow>('hooks').where({ id }).first();
        if (!row) return { failures: 0, disabled: false };
        const disabled = Boolean(row.enabled) && row.consecutive_failures >= limit;
        if (disabled) {
          await trx<HookRow>('hooks')
            .where({ id })
            .update({ enabled: false, disabled_reason: storableText(reason), updated_at: Date.now(), version: trx.raw('version + 1') } as never);
        }
        return { failures: row.consecutive_failures, disabled };
      });
    },
    async resetFailures(id: string): Promise<void> {
      await table().where({ id }).andWhere('consecutive_failures', '>', 0).update({ consecutive_failures: 0 });
    },
  };
}

export type HooksStore = ReturnType<typeof createHooksStore>;
