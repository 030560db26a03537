// Several daemons on one PostgreSQL database: the one connection a daemon holds in LISTEN, for
// every channel it follows (registry changes, the live stream, stream presence), dispatching each
// notification by channel. Every NOTIFY on a database wakes every connection listening there,
// whatever its channels, and each reads the queue in a transaction of its own: one listening
// connection per daemon instead of one per concern halves those wake-ups. Taken from the pool
// (it counts in storage.pool) and held; senders may notify on it too, so a busy pool never delays
// them. A heartbeat on it notices a connection that died without a word. Side effects: that
// connection, a heartbeat and a reconnect timer, from start() to stop().
import type { Knex } from 'knex';
import { disposeConnection } from './pg-timeouts.ts';

/** How often the held connection is asked `SELECT 1`, and how long it has to answer. */
export interface ListenHeartbeat {
  everyMs: number;
  deadlineMs: number;
}

// A connection that dies silently (a NAT or firewall dropping the flow, a partitioned or vanished
// server: no FIN, no RST) just stops delivering, and TCP keepalive notices only after minutes. A
// SELECT 1 every 5 s that must answer within 5 s finds it within about 10 s, well inside the 30 s
// safety polls, for one trivial statement per daemon per 5 s; 5 s is far above a healthy round
// trip, even one queued behind the stream's NOTIFY sends on a loaded server.
export const LISTEN_HEARTBEAT: ListenHeartbeat = { everyMs: 5000, deadlineMs: 5000 };

export interface NotifyListenerDeps {
  db: Knex;
  /** How long to wait before opening a lost connection again. */
  reconnectMs: number;
  /** Default LISTEN_HEARTBEAT; tests shorten it. */
  heartbeat?: ListenHeartbeat;
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
  /** With a query still running pg destroys the socket rather than wait for a goodbye a dead peer never sends. */
  end(): Promise<void>;
  /** knex's mark of a broken connection: its pool's validation then destroys it instead of handing it out. */
  __knex__disposed?: unknown;
}

interface PoolClient {
  acquireConnection(): Promise<ListenConnection>;
  releaseConnection(conn: ListenConnection): Promise<void>;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

/** `work`, or a rejection once `ms` pass without it settling (its own later failure is then ignored). */
function withinDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const missed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  work.catch(() => {});
  return Promise.race([work, missed]).finally(() => clearTimeout(timer));
}

export function createNotifyListener(deps: NotifyListenerDeps) {
  const pool = deps.db.client as PoolClient;
  const heartbeat = deps.heartbeat ?? LISTEN_HEARTBEAT;
  const followers = new Map<string, ChannelFollower>();
  let conn: ListenConnection | undefined;
  let connecting: Promise<void> | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let beating: Promise<void> | undefined;
  let schema = '';
  let running = false;

  // The listener's own statements all have the heartbeat's deadline, so a connection that dies
  // silently while it is being set up or closed cannot hang start() or stop() either.
  const ask = (c: ListenConnection, sql: string) => withinDeadline(c.query(sql), heartbeat.deadlineMs, sql);

  /** Gives a broken (or possibly broken) connection back so that the pool never reuses it. */
  function discard(c: ListenConnection, reason: unknown): void {
    c.removeAllListeners('notification');
    disposeConnection(c, reason);
    void pool.releaseConnection(c).catch(() => {});
  }

  function lose(c: ListenConnection, err: Error): void {
    if (conn !== c) return;
    conn = undefined;
    clearTimeout(heartbeatTimer);
    discard(c, err);
    deps.onError(err, 'the listening connection was lost; reconnecting (notifications meanwhile are missed)');
    scheduleReconnect();
  }

  // One beat at a time: the next is scheduled when this one has answered.
  function scheduleHeartbeat(c: ListenConnection): void {
    heartbeatTimer = setTimeout(() => {
      beating = ask(c, 'SELECT 1').then(
        () => {
          if (running && conn === c) scheduleHeartbeat(c);
        },
        (err: Error) => lose(c, err),
      ).finally(() => (beating = undefined));
    }, heartbeat.everyMs);
    heartbeatTimer.unref();
  }

  async function connect(): Promise<void> {
    const c = await pool.acquireConnection();
    try {
      schema = String((await ask(c, 'SELECT current_schema() AS s')).rows[0]?.s ?? '');
      c.on('notification', (msg) => {
        if (conn === c) followers.get(msg.channel)?.notified(msg.payload ?? '');
      });
      const ended = (err?: Error) => lose(c, err ?? new Error('connection ended'));
      c.on('error', ended);
      c.on('end', ended);
      await ask(c, [...followers.keys()].map((ch) => `LISTEN ${ch};`).join(' '));
      if (!running) throw new Error('stopped');
      conn = c;
    } catch (err) {
      discard(c, err);
      throw err;
    }
    scheduleHeartbeat(c);
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
      clearTimeout(heartbeatTimer);
      await connecting?.catch(() => {});
      await beating;
      const c = conn;
      conn = undefined;
      if (!c) return;
      c.removeAllListeners('notification');
      await ask(c, 'UNLISTEN *').then(
        () => pool.releaseConnection(c),
        (err: unknown) => discard(c, err),
      ).catch(() => {});
    },
  };
}

export type NotifyListener = ReturnType<typeof createNotifyListener>;
