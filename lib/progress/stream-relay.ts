// Several daemons on one database: what this daemon's bus sends its GET /stream clients (its
// coalesced progress, business events, hook outcomes) also goes to the other daemons, and
// theirs comes onto this bus marked with its origin, so it reaches local clients and is never
// sent back. The transport (db/stream-fanout.ts) is a port. Side effect: a bus listener.
import type { Bus, BusMessage } from '../bus.ts';

const CHANNELS = new Set<BusMessage['channel']>(['progress', 'event', 'hook']);

export interface StreamRelayDeps {
  bus: Bus;
  /** Keeps another daemon's progress value for GET /progress. */
  remember: (update: { type: string; key: string; data: unknown; at: string }) => void;
}

export function createStreamRelay(deps: StreamRelayDeps) {
  let send: ((message: BusMessage) => void) | undefined;
  function onLocal(m: BusMessage): void {
    if (m.origin === undefined) send?.(m);
  }

  /** A message from another daemon: checked for shape (a bad one is ignored), then put on this bus. */
  function receive(message: unknown, from: string): void {
    const m = message as Partial<BusMessage> | null;
    if (typeof m !== 'object' || m === null || !CHANNELS.has(m.channel!) || typeof m.type !== 'string' || typeof m.at !== 'string') return;
    const out: BusMessage = { channel: m.channel!, type: m.type, data: m.data, at: m.at, origin: from };
    if (typeof m.id === 'string') out.id = m.id;
    if (typeof m.key === 'string') out.key = m.key;
    if (out.channel === 'progress') deps.remember({ type: out.type, key: out.key ?? '', data: out.data, at: out.at });
    deps.bus.emit('message', out);
  }

  return {
    receive,
    /** From now on local messages go to `to` (the transport, built with receive as its delivery): it must not wait or throw. */
    start(to: (message: BusMessage) => void): void {
      send = to;
      deps.bus.on('message', onLocal);
    },
    stop(): void {
      deps.bus.off('message', onLocal);
      send = undefined;
    },
  };
}
