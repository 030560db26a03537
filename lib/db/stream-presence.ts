// Several daemons on one PostgreSQL database: which other daemons have live stream clients, so a
// daemon sends its business events and hook outcomes to the others only while someone could want
// them (every NOTIFY wakes every listening connection on the database). A daemon with clients
// keeps a row in stream_listeners (migration 011) and notifies hookd_presence when it starts to
// (before its first client is answered) and at each refresh; one with no clients at a refresh
// (and no announcement during the last period) removes it. Each daemon reads the rows at start, each time its listening
// connection opens again, and every refresh period (rows of dead daemons expire). Side effect: a
// timer, from start() to stop().
import type { Knex } from 'knex';
import { repeatAfter, type Repeat } from '../repeat.ts';
import type { NotifyListener } from './notify-listener.ts';

export const PRESENCE_CHANNEL = 'hookd_presence';

export interface StreamPresenceDeps {
  db: Knex;
  listener: Pick<NotifyListener, 'follow' | 'schema'>;
  /** This daemon's name (instance id). */
  instanceId: string;
  /** This daemon's open /stream clients now. */
  clients: () => number;
  /** Another daemon just said it has clients (a notification, not a periodic read): what it may have missed can be sent now. */
  onArrival?: (instance: string) => void;
  onError: (err: unknown, what: string) => void;
  /** How often a listed daemon refreshes its row, and everyone rereads the rows. */
  refreshMs: number;
  /** How long a row outlives its daemon's last refresh (a dead daemon's row); over two refreshes. */
  ttlMs: number;
}

export function createStreamPresence(deps: StreamPresenceDeps) {
  const others = new Set<string>();
  // A notification received while a read was in flight wins over that read's (older) answer.
  const noticed = new Map<string, { on: boolean; at: number }>();
  let notices = 0;
  let listed = false;
  let announcedAt = -Infinity;
  let announcing: Promise<void> | undefined;
  let reading: Promise<void> | undefined;
  let repeat: Repeat | undefined;
  let running = false;

  const payload = (on: boolean) => `${deps.listener.schema()} ${deps.instanceId} ${on ? 'on' : 'off'}`;
  const ttlSeconds = deps.ttlMs / 1000;

  // Row and notification in one statement: one round trip, one transaction.
  async function list(): Promise<void> {
    await deps.db.raw(
      `WITH up AS (INSERT INTO stream_listeners (instance, expires_at) VALUES (?, now() + make_interval(secs => ?))
        ON CONFLICT (instance) DO UPDATE SET expires_at = EXCLUDED.expires_at)
       SELECT pg_notify(?, ?)`,
      [deps.instanceId, ttlSeconds, PRESENCE_CHANNEL, payload(true)],
    );
    listed = true;
  }

  async function unlist(): Promise<void> {
    listed = false;
    await deps.db.raw(`WITH d AS (DELETE FROM stream_listeners WHERE instance = ?) SELECT pg_notify(?, ?)`, [deps.instanceId, PRESENCE_CHANNEL, payload(false)]);
  }

  function read(): Promise<void> {
    return (reading ??= (async () => {
      const startedAt = notices;
      const { rows } = (await deps.db.raw('SELECT instance FROM stream_listeners WHERE expires_at > now() AND instance <> ?', [deps.instanceId])) as { rows: Array<{ instance: string }> };
      others.clear();
      for (const r of rows) others.add(r.instance);
      for (const [instance, n] of noticed) {
        if (n.at > startedAt) n.on ? others.add(instance) : others.delete(instance);
      }
      noticed.clear();
    })().finally(() => (reading = undefined)));
  }

  // An announcement precedes its client's opening: one younger than a refresh period keeps the
  // row even with no client counted yet (else a refresh in between would unlist it).
  async function refresh(): Promise<void> {
    if (deps.clients() > 0 || announcing) await list();
    else if (listed && performance.now() - announcedAt > deps.refreshMs) await unlist();
    await read();
  }

  deps.listener.follow(PRESENCE_CHANNEL, {
    notified(text) {
      const [schema, instance, state] = text.split(' ');
      if (schema !== deps.listener.schema() || !instance || instance === deps.instanceId || (state !== 'on' && state !== 'off')) return;
      const on = state === 'on';
      noticed.set(instance, { on, at: ++notices });
      const arrived = on && !others.has(instance);
      if (on) others.add(instance);
      else others.delete(instance);
      if (arrived) deps.onArrival?.(instance);
    },
    connected: () => void (running && read().catch((err: unknown) => deps.onError(err, 'reading the stream listeners failed'))),
  });

  return {
    /** Whether another daemon has stream clients (as far as this one knows). */
    othersListening: (): boolean => others.size > 0,
    listeners: (): number => others.size,
    /**
     * Call before answering a stream client: resolves once this daemon is listed and the others
     * notified (at once when it already is). A failure is reported, not thrown: the client still
     * gets this daemon's own messages, and the next refresh lists it.
     */
    announce(): Promise<void> {
      announcedAt = performance.now();
      if (listed || !running) return Promise.resolve();
      return (announcing ??= list()
        .catch((err: unknown) => deps.onError(err, 'listing this daemon as a stream listener failed; retrying at the next refresh'))
        .finally(() => (announcing = undefined)));
    },
    async start(): Promise<void> {
      running = true;
      await read().catch((err: unknown) => deps.onError(err, 'reading the stream listeners failed'));
      repeat = repeatAfter(deps.refreshMs, refresh, (err) => deps.onError(err, 'refreshing the stream listeners failed'));
    },
    async stop(): Promise<void> {
      running = false;
      repeat?.stop();
      await announcing;
      await reading?.catch(() => {});
      if (listed) await unlist().catch((err: unknown) => deps.onError(err, 'removing this daemon from the stream listeners failed; its row expires'));
    },
  };
}

export type StreamPresence = ReturnType<typeof createStreamPresence>;
