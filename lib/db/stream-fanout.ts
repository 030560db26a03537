// Several daemons on one PostgreSQL database: carries each daemon's live stream messages (what
// its bus sends GET /stream: coalesced progress, business events, hook outcomes) to the others
// by NOTIFY on hookd_stream, and theirs to it. NOTIFY refuses payloads of 8000 bytes or more:
// a larger message is written to stream_frames (migration 010) and its row id is notified, so
// it still arrives. Sends and receives on the daemon's listening connection
// (db/notify-listener.ts), held outside the pool's turns, so a busy pool never delays the stream
// and the stream never waits for ingest. Side effect: a prune timer.
import type { Knex } from 'knex';
import type { ListenConnection, NotifyListener } from './notify-listener.ts';

export const STREAM_CHANNEL = 'hookd_stream';
/** PostgreSQL's limit: a NOTIFY payload must be shorter than 8000 bytes. */
export const NOTIFY_MAX_BYTES = 7999;

export interface StreamFanoutLimits {
  /** Messages waiting to be sent, or received and waiting for an oversize body; past it, dropped and counted. */
  maxQueue: number;
  /** Their bytes together. */
  maxQueueBytes: number;
  /** How long an oversize message's body stays in stream_frames for the others to read. */
  frameTtlMs: number;
  /**
   * Least time between two sends: a message queued after an idle spell goes at once, one queued
   * sooner waits for the next send with whatever else came meanwhile. Each send is a transaction
   * that wakes every connection listening on the database, each reading the queue in a
   * transaction of its own: with three daemons those wake-ups were most of the transactions per
   * event in the scale bench while each group commit's messages went on their own.
   */
  sendIntervalMs: number;
}

export const DEFAULT_FANOUT_LIMITS: StreamFanoutLimits = { maxQueue: 10_000, maxQueueBytes: 16 * 1024 * 1024, frameTtlMs: 60_000, sendIntervalMs: 25 };

export interface StreamFanoutDeps<M> {
  db: Knex;
  /** The daemon's listening connection: hookd_stream is followed, and sent on, there. */
  listener: Pick<NotifyListener, 'follow' | 'schema' | 'connection'>;
  /** This daemon's name (instance id): its own notifications come back to it and are ignored. */
  instanceId: string;
  /** A message another daemon (`from`, its instance id) sent, in the order it sent them; must not throw. */
  deliver: (message: M, from: string) => void;
  onError: (err: unknown, what: string) => void;
  limits?: Partial<StreamFanoutLimits>;
}

export interface StreamFanoutStats {
  sent: number;
  /** Of those, sent as a stream_frames row id because the payload was too large for NOTIFY. */
  sentByReference: number;
  received: number;
  receivedByReference: number;
  /** Messages this daemon could not send: its send queue was full (the connection slow or lost). */
  dropped: number;
  /** Messages of others this daemon knows it missed: gaps in a sender's numbering, a receive queue full, a body already pruned. */
  missed: number;
  queued: number;
}

/** What the notification carries: schema, sender, the sender's message number, and the message or its row id. */
interface Envelope {
  s: string;
  f: string;
  n: number;
  m?: unknown;
  r?: string;
}

// Senders remembered for gap counting; past it the map starts over (restarts bring new ids).
const MAX_SENDERS = 1_000;

export function createStreamFanout<M>(deps: StreamFanoutDeps<M>) {
  const limits = { ...DEFAULT_FANOUT_LIMITS, ...deps.limits };
  const stats = { sent: 0, sentByReference: 0, received: 0, receivedByReference: 0, dropped: 0, missed: 0 };
  // Outgoing: each message's JSON text, sent in order by one pump at a time.
  let outgoing: string[] = [];
  let outgoingBytes = 0;
  // Incoming: kept in order while an oversize body is read; small messages pass at once otherwise.
  const incoming: Array<{ from: string; message?: M; ref?: string; bytes: number }> = [];
  let incomingBytes = 0;
  const lastNumber = new Map<string, number>();
  let pumping: Promise<void> | undefined;
  let lastPumpAt = -Infinity;
  let sendTimer: NodeJS.Timeout | undefined;
  let sendWait: Promise<void> | undefined;
  let endSendWait: (() => void) | undefined;
  let draining: Promise<void> | undefined;
  let number = 0;
  let running = false;
  let pruneTimer: NodeJS.Timeout | undefined;

  deps.listener.follow(STREAM_CHANNEL, { notified: onNotification, connected: () => pump() });

  function onNotification(payload: string): void {
    let env: Envelope;
    try {
      env = JSON.parse(payload) as Envelope;
    } catch {
      return; // not ours: someone else notifying on the channel
    }
    if (env.s !== deps.listener.schema() || env.f === deps.instanceId || typeof env.n !== 'number') return;
    const last = lastNumber.get(env.f);
    if (last !== undefined && env.n > last + 1) stats.missed += env.n - last - 1;
    if (lastNumber.size >= MAX_SENDERS && last === undefined) lastNumber.clear();
    lastNumber.set(env.f, env.n);
    const bytes = Buffer.byteLength(payload);
    if (env.r === undefined && incoming.length === 0) return take(env.m as M, env.f);
    if (incoming.length >= limits.maxQueue || incomingBytes + bytes > limits.maxQueueBytes) {
      stats.missed++;
      return;
    }
    incoming.push(env.r === undefined ? { from: env.f, message: env.m as M, bytes } : { from: env.f, ref: env.r, bytes });
    incomingBytes += bytes;
    draining ??= drainIncoming().finally(() => (draining = undefined));
  }

  function take(message: M, from: string, byReference = false): void {
    stats.received++;
    if (byReference) stats.receivedByReference++;
    deps.deliver(message, from);
  }

  // Reads oversize bodies in turn, so every sender's messages keep their order.
  async function drainIncoming(): Promise<void> {
    while (incoming.length > 0) {
      const item = incoming[0]!;
      if (item.ref !== undefined) {
        const row = await deps.db('stream_frames').where({ id: item.ref }).first('body').catch((err: unknown) => {
          deps.onError(err, 'reading a large stream message failed; it is missed');
          return undefined;
        });
        if (row) take(JSON.parse((row as { body: string }).body) as M, item.from, true);
        else stats.missed++;
      } else take(item.message!, item.from);
      incoming.shift();
      incomingBytes -= item.bytes;
    }
  }

  /** Queues a message of this daemon's for the others; never waits (a full queue drops it, counted). */
  function send(message: M): void {
    if (!running) return;
    const text = JSON.stringify(message);
    const bytes = Buffer.byteLength(text);
    if (outgoing.length >= limits.maxQueue || outgoingBytes + bytes > limits.maxQueueBytes) {
      stats.dropped++;
      return;
    }
    outgoing.push(text);
    outgoingBytes += bytes;
    pump();
  }

  function pump(): void {
    const conn = deps.listener.connection();
    if (pumping || sendTimer || !conn || outgoing.length === 0) return;
    const wait = lastPumpAt + limits.sendIntervalMs - performance.now();
    if (wait > 0) {
      sendWait = new Promise((resolve) => (endSendWait = resolve));
      sendTimer = setTimeout(() => {
        cancelSendTimer();
        pump();
      }, wait);
      return;
    }
    lastPumpAt = performance.now();
    pumping = pumpOnce(conn)
      .catch((err: unknown) => deps.onError(err, 'sending stream messages to the other daemons failed; they are dropped'))
      .finally(() => {
        pumping = undefined;
        pump();
      });
  }

  function cancelSendTimer(): void {
    clearTimeout(sendTimer);
    sendTimer = undefined;
    endSendWait?.();
    sendWait = endSendWait = undefined;
  }

  // One round trip for every small message queued now (one pg_notify per array element, in
  // array order), one for each large message (its row and its notification in one statement).
  async function pumpOnce(c: ListenConnection): Promise<void> {
    const batch = outgoing;
    outgoing = [];
    outgoingBytes = 0;
    let small: string[] = [];
    let done = 0;
    const flushSmall = async () => {
      if (small.length === 0) return;
      await c.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [STREAM_CHANNEL, small]);
      done += small.length;
      small = [];
    };
    try {
      for (const text of batch) {
        const head = `{"s":${JSON.stringify(deps.listener.schema())},"f":${JSON.stringify(deps.instanceId)},"n":${++number},`;
        const payload = `${head}"m":${text}}`;
        if (Buffer.byteLength(payload) <= NOTIFY_MAX_BYTES) {
          small.push(payload);
          continue;
        }
        await flushSmall();
        await c.query(
          `WITH f AS (INSERT INTO stream_frames (body) VALUES ($1) RETURNING id) SELECT pg_notify($2, $3 || f.id || '"}') FROM f`,
          [text, STREAM_CHANNEL, `${head}"r":"`],
        );
        done++;
        stats.sentByReference++;
      }
      await flushSmall();
    } finally {
      stats.sent += done;
      stats.dropped += batch.length - done;
    }
  }

  async function prune(): Promise<void> {
    await deps.db('stream_frames').where('created_at', '<', deps.db.raw(`now() - make_interval(secs => ?)`, [limits.frameTtlMs / 1000])).delete();
  }

  return {
    send,
    start(): void {
      running = true;
      pump();
      pruneTimer = setInterval(() => void prune().catch((err: unknown) => deps.onError(err, 'pruning stream_frames failed')), limits.frameTtlMs);
      pruneTimer.unref();
    },
    /** Sends what is queued (while the listening connection is up); stop the listener after this. */
    async stop(): Promise<void> {
      running = false;
      clearInterval(pruneTimer);
      // What is queued goes now, not after the send interval.
      for (;;) {
        cancelSendTimer();
        lastPumpAt = -Infinity;
        pump();
        if (!pumping) break;
        await pumping;
      }
      await draining;
    },
    stats: (): StreamFanoutStats => ({ ...stats, queued: outgoing.length + incoming.length }),
    /** Resolves when nothing is queued to send or waiting to be read (tests). */
    async settled(): Promise<void> {
      while (pumping || draining || sendWait) await (pumping ?? draining ?? sendWait);
    },
  };
}

export type StreamFanout<M> = ReturnType<typeof createStreamFanout<M>>;
