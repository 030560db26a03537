// Several daemons on one PostgreSQL database (part of the composition root, lib/daemon.ts): this
// daemon's one listening connection and, on it, the live stream it shares with the others:
// presence (which daemons have /stream clients), the relay (bus side) and fan-out (NOTIFY side).
// Side effects: the connection, timers and a bus listener, from start() to stop().
import type { Bus, BusMessage } from '../bus.ts';
import type { Db } from '../db/connect.ts';
import { createNotifyListener, type NotifyListener } from '../db/notify-listener.ts';
import { createStreamFanout, type StreamFanoutStats } from '../db/stream-fanout.ts';
import { createStreamPresence } from '../db/stream-presence.ts';
import type { Instance } from '../instance.ts';
import type { Progress } from '../progress/index.ts';
import { createStreamRelay } from '../progress/stream-relay.ts';

const LISTEN_RECONNECT_MS = 1000;
// A daemon with stream clients refreshes its stream_listeners row this often; a dead one's row
// outlives it by the TTL (the others keep sending it their events that long).
const PRESENCE_REFRESH_MS = 5000;
const PRESENCE_TTL_MS = 15_000;

export interface PeerLinkDeps {
  db: Db;
  instance: Instance;
  bus: Bus;
  /** Keeps another daemon's progress value for GET /progress. */
  remember: Progress['remember'];
  /** This daemon's open /stream clients now. */
  clients: () => number;
  onError: (err: unknown, what: string) => void;
}

export interface PeerLink {
  /** Other parts follow their channels on it before start(). */
  listener: NotifyListener;
  /** Tells the others this daemon has a /stream client (before it is answered). */
  announce: () => Promise<void>;
  fanoutStats: () => StreamFanoutStats;
  /** Opens the connection (every channel is followed by then) and starts sharing the stream. */
  start(): Promise<void>;
  /** Sends what is queued, removes this daemon's presence row, closes the connection. */
  stop(): Promise<void>;
}

/** Undefined for a daemon alone on its database (SQLite). */
export function createPeerLink(deps: PeerLinkDeps): PeerLink | undefined {
  const { db, instance, onError } = deps;
  if (!instance.shared) return undefined;
  const listener = createNotifyListener({ db, reconnectMs: LISTEN_RECONNECT_MS, onError });
  const presence = createStreamPresence({
    db,
    listener,
    instanceId: instance.id,
    clients: deps.clients,
    onArrival: () => relay.sendHeld(),
    onError,
    refreshMs: PRESENCE_REFRESH_MS,
    ttlMs: PRESENCE_TTL_MS,
  });
  const relay = createStreamRelay({ bus: deps.bus, remember: deps.remember, othersListening: presence.othersListening });
  const fanout = createStreamFanout<BusMessage>({ db, listener, instanceId: instance.id, deliver: relay.receive, onError });
  return {
    listener,
    announce: presence.announce,
    fanoutStats: fanout.stats,
    async start() {
      await listener.start();
      fanout.start();
      await presence.start();
      relay.start(fanout.send);
    },
    async stop() {
      relay.stop();
      await fanout.stop();
      await presence.stop();
      await listener.stop();
    },
  };
}
