// Several daemons on one PostgreSQL database: the one connection a daemon holds in LISTEN, for
// every channel it follows (registry changes, the live stream, stream presence), dispatching each
// notification by channel. Every NOTIFY on a database wakes every connection listening there,
// whatever its channels, and each reads the queue in a transaction of its own: one listening
// connection per daemon instead of one per concern halves those wake-ups. Taken from the pool
// (it counts in storage.pool) and held; senders may notify on it too, so a busy pool never delays
// them. Side effects: that connection and a reconnect timer, from start() to stop().
import type { Knex } from 'knex';

export interface NotifyListenerDeps {
  db: Knex;
  /** How long to wait before opening a lost connection again. */
  reconnectMs: number;
  onError: (err: unknown, what: string) => void;
}

/** What a channel's follower is told: a notification's payload, and when to catch up. */
export interface ChannelFollower {
  /** A notification on the channel; must not throw. */
  notified: (payload: string) => void;
  /** The connection is (again) listening: what was notified while it was not is lost, read the state afresh. */
  connected?: () => void;
}

export interface ListenConnection {
  query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  on(event: 'notification', listener: (msg: { channel: string; payload?: string }) => void): void;
  on(event: 'error' | 'end', listener: (err?: Error) => void): void;
  removeAllListeners(event?: string): void;
}

interface PoolClient {
  acquireConnection(): Promise<ListenConnection>;
  releaseConnection(conn: ListenConnection): Promise<void>;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

export function createNotifyListener(deps: NotifyListenerDeps) {
  const pool = deps.db.client as PoolClient;
  const followers = new Map<string, ChannelFollower>();
  let conn: ListenConnection | undefined;
  let connecting: Promise<void> | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let schema = '';
  let running = false;

  async function connect(): Promise<void> {
    const c = await pool.acquireConnection();
    try {
      schema = String((await c.query('SELECT current_schema() AS s')).rows[0]?.s ?? '');
      c.on('notification', (msg) => {
        if (conn === c) followers.get(msg.channel)?.notified(msg.payload ?? '');
      });
      const lost = (err?: Error) => {
        if (conn !== c) return;
        conn = undefined;
        c.removeAllListeners('notification');
        void pool.releaseConnection(c).catch(() => {}); // the pool sees it is broken and discards it
        deps.onError(err ?? new Error('connection ended'), 'the listening connection was lost; reconnecting (notifications meanwhile are missed)');
        scheduleReconnect();
      };
      c.on('error', lost);
      c.on('end', lost);
      await c.query([...followers.keys()].map((ch) => `LISTEN ${ch};`).join(' '));
      if (!running) throw new Error('stopped');
      conn = c;
    } catch (err) {
      c.removeAllListeners('notification');
      await pool.releaseConnection(c).catch(() => {});
      throw err;
    }
    for (const f of followers.values()) f.connected?.();
  }

  function open(): Promise<void> {
    return (connecting ??= connect().finally(() => (connecting = undefined)));
  }

  function scheduleReconnect(): void {
    if (!running || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      open().catch((err: unknown) => {
        if (running) deps.onError(err, 'opening the listening connection failed; retrying');
        scheduleReconnect();
      });
    }, deps.reconnectMs);
    reconnectTimer.unref();
  }

  return {
    /** Follows a channel (before start): its notifications go to `follower`. */
    follow(channel: string, follower: ChannelFollower): void {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
      if (running) throw new Error('follow channels before start()');
      followers.set(channel, follower);
    },
    /** The connection's schema (current_schema()): notifications carry it so daemons on other schemas ignore each other. */
    schema: () => schema,
    /** The listening connection while it is up: a sender may notify on it (one statement at a time is the sender's business). */
    connection: (): ListenConnection | undefined => conn,
    /** Opens the connection; a failure is reported and retried, never thrown. */
    async start(): Promise<void> {
      running = true;
      await open().catch((err: unknown) => {
        deps.onError(err, 'opening the listening connection failed; retrying');
        scheduleReconnect();
      });
    },
    async stop(): Promise<void> {
      running = false;
      clearTimeout(reconnectTimer);
      await connecting?.catch(() => {});
      const c = conn;
      conn = undefined;
      if (!c) return;
      c.removeAllListeners('notification');
      await c.query('UNLISTEN *').catch(() => {});
      await pool.releaseConnection(c).catch(() => {});
    },
  };
}

export type NotifyListener = ReturnType<typeof createNotifyListener>;
