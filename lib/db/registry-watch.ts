// Several daemons on one PostgreSQL database: tells this one when another changed a hook or a
// webhook. LISTEN on hookd_registry (the triggers of migration 008) brings a change within a
// round trip; a check of each table's stamp (rows, sum of versions, last update) every
// `intervalMs` catches what a lost listening connection missed. Side effects: one pooled
// connection held for LISTEN, and a timer, from start() to stop().
import type { Knex } from 'knex';

export type RegistryTable = 'hooks' | 'webhooks';

/** What changed: a table, and the row's id when a notification named it (undefined: any row). */
export interface RegistryChange {
  table: RegistryTable;
  id?: string;
}

export interface RegistryWatchDeps {
  db: Knex;
  intervalMs: number;
  /** Told of changes, one call at a time; must not throw. */
  onChange: (changes: RegistryChange[]) => Promise<void>;
  onError: (err: unknown, what: string) => void;
  /** false: the periodic check only (tests of it); default true. */
  listen?: boolean;
}

const CHANNEL = 'hookd_registry';
const TABLES: RegistryTable[] = ['hooks', 'webhooks'];

interface ListenConnection {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', listener: (msg: { channel: string; payload?: string }) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  removeAllListeners(event?: string): void;
}

export function createRegistryWatch(deps: RegistryWatchDeps) {
  const stamps = new Map<RegistryTable, string>();
  let pending: RegistryChange[] = [];
  let delivering: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let listener: ListenConnection | undefined;
  let schema = '';
  let running = false;

  async function readStamps(): Promise<Map<RegistryTable, string>> {
    const out = new Map<RegistryTable, string>();
    for (const table of TABLES) {
      const row = (await deps.db(table).first(deps.db.raw('COUNT(*) AS n, SUM(version) AS v, MAX(updated_at) AS u'))) as { n: unknown; v: unknown; u: unknown };
      out.set(table, `${row.n}:${row.v}:${row.u}`);
    }
    return out;
  }

  function deliver(changes: RegistryChange[]): void {
    pending.push(...changes);
    if (delivering || !running) return;
    delivering = (async () => {
      while (pending.length > 0 && running) {
        const batch = pending;
        pending = [];
        await deps.onChange(batch);
      }
    })().finally(() => (delivering = undefined));
  }

  async function listen(): Promise<void> {
    const client = deps.db.client as { acquireConnection(): Promise<ListenConnection>; releaseConnection(c: ListenConnection): Promise<void> };
    const conn = await client.acquireConnection();
    try {
      schema = String(((await conn.query('SELECT current_schema() AS s')) as { rows: Array<{ s: string }> }).rows[0]?.s ?? '');
      conn.on('notification', (msg) => {
        const [from, table, id] = (msg.payload ?? '').split(' ');
        if (msg.channel === CHANNEL && from === schema && TABLES.includes(table as RegistryTable)) deliver([{ table: table as RegistryTable, id }]);
      });
      conn.on('error', (err) => {
        deps.onError(err, 'the registry listening connection failed; changes are found by the periodic check');
        if (listener === conn) listener = undefined;
      });
      await conn.query(`LISTEN ${CHANNEL}`);
      listener = conn;
    } catch (err) {
      conn.removeAllListeners('notification');
      await client.releaseConnection(conn);
      throw err;
    }
  }

  async function check(): Promise<void> {
    if (!listener && deps.listen !== false) await listen().catch((err: unknown) => deps.onError(err, 'listening for registry changes failed; retrying at the next check'));
    const now = await readStamps();
    const changed = TABLES.filter((t) => stamps.has(t) && stamps.get(t) !== now.get(t));
    for (const [t, s] of now) stamps.set(t, s);
    if (changed.length > 0) deliver(changed.map((table) => ({ table })));
  }

  function tick(): void {
    timer = setTimeout(() => {
      check()
        .catch((err: unknown) => deps.onError(err, 'checking the registry for changes failed'))
        .finally(() => running && tick());
    }, deps.intervalMs);
  }

  return {
    async start(): Promise<void> {
      running = true;
      await check().catch((err: unknown) => deps.onError(err, 'checking the registry for changes failed'));
      tick();
    },
    async stop(): Promise<void> {
      running = false;
      clearTimeout(timer);
      await delivering;
      const conn = listener;
      listener = undefined;
      if (conn) {
        conn.removeAllListeners('notification');
        await conn.query(`UNLISTEN ${CHANNEL}`).catch(() => {});
        await (deps.db.client as { releaseConnection(c: ListenConnection): Promise<void> }).releaseConnection(conn);
      }
    },
  };
}

export type RegistryWatch = ReturnType<typeof createRegistryWatch>;
