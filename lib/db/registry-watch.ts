// Several daemons on one PostgreSQL database: tells this one when another changed a hook or a
// webhook. hookd_registry notifications (the triggers of migration 008), through the daemon's
// listening connection (db/notify-listener.ts), bring a change within a round trip; a check of
// each table's stamp (rows, sum of versions, last update; both tables in one statement) every
// `intervalMs`, and one each time the listening connection opens again, catch what a lost
// connection missed. Side effect: a repeating timer (lib/repeat.ts), from start() to stop().
import type { Knex } from 'knex';
import { repeatAfter, type Repeat } from '../repeat.ts';
import type { NotifyListener } from './notify-listener.ts';

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
  /** The daemon's listening connection (follows hookd_registry on it); absent: the periodic check only. */
  listener?: Pick<NotifyListener, 'follow' | 'schema'>;
}

export const REGISTRY_CHANNEL = 'hookd_registry';
const TABLES: RegistryTable[] = ['hooks', 'webhooks'];

export function createRegistryWatch(deps: RegistryWatchDeps) {
  const stamps = new Map<RegistryTable, string>();
  let pending: RegistryChange[] = [];
  let delivering: Promise<void> | undefined;
  let repeat: Repeat | undefined;
  let checking: Promise<void> | undefined;
  let running = false;

  // One statement (one transaction) for both tables: every daemon runs it every interval.
  const STAMPS_SQL = `SELECT ${TABLES.map((t) => `(SELECT COUNT(*) || ':' || COALESCE(SUM(version), 0) || ':' || COALESCE(MAX(updated_at)::text, '') FROM ${t}) AS ${t}`).join(', ')}`;

  async function readStamps(): Promise<Map<RegistryTable, string>> {
    const { rows } = (await deps.db.raw(STAMPS_SQL)) as { rows: Array<Record<RegistryTable, string>> };
    return new Map(TABLES.map((t) => [t, String(rows[0]![t])]));
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

  function check(): Promise<void> {
    return (checking ??= readAndCompare().finally(() => (checking = undefined)));
  }

  async function readAndCompare(): Promise<void> {
    const now = await readStamps();
    const changed = TABLES.filter((t) => stamps.has(t) && stamps.get(t) !== now.get(t));
    for (const [t, s] of now) stamps.set(t, s);
    if (changed.length > 0) deliver(changed.map((table) => ({ table })));
  }

  deps.listener?.follow(REGISTRY_CHANNEL, {
    notified(payload) {
      const [from, table, id] = payload.split(' ');
      if (from === deps.listener!.schema() && TABLES.includes(table as RegistryTable)) deliver([{ table: table as RegistryTable, id }]);
    },
    // What changed while the connection was down: found by comparing the stamps now.
    connected: () => void (running && check().catch((err: unknown) => deps.onError(err, 'checking the registry for changes failed'))),
  });

  return {
    async start(): Promise<void> {
      running = true;
      await check().catch((err: unknown) => deps.onError(err, 'checking the registry for changes failed'));
      repeat = repeatAfter(deps.intervalMs, check, (err) => deps.onError(err, 'checking the registry for changes failed'));
    },
    async stop(): Promise<void> {
      running = false;
      repeat?.stop();
      await checking?.catch(() => {});
      await delivering;
    },
  };
}

export type RegistryWatch = ReturnType<typeof createRegistryWatch>;
