// Several daemons on one database: what this daemon's bus sends its GET /stream clients (its
// coalesced progress, business events, hook outcomes) also goes to the other daemons, and
// theirs comes onto this bus marked with its origin, so it reaches local clients and is never
// sent back. Business events and hook outcomes go only while another daemon has stream clients
// (`othersListening`): nobody else wants them otherwise, and each send wakes every daemon.
// Progress always goes: it also feeds every daemon's GET /progress. What was held back in the
// last `heldMs` goes when a daemon announces its first client, so a client that connects just
// before its daemon's announcement reaches the others still sees what they sent meanwhile. The
// transport (db/stream-fanout.ts) and the presence (db/stream-presence.ts) are ports. Side
// effect: a bus listener.
import type { Bus, BusMessage } from '../bus.ts';

const CHANNELS = new Set<BusMessage['channel']>(['progress', 'event', 'hook']);

export interface StreamRelayDeps {
  bus: Bus;
  /** Keeps another daemon's progress value for GET /progress. */
  remember: (update: { type: string; key: string; data: unknown; at: string }) => void;
  /** Whether another daemon has stream clients now; absent: always. */
  othersListening?: () => boolean;
  /** How long held-back messages are kept for a daemon that announces its first client. */
  heldMs?: number;
  /** At most this many of them (the oldest go first). */
  heldMax?: number;
}

const DEFAULT_HELD_MS = 1_000;
const DEFAULT_HELD_MAX = 1_000;

export function createStreamRelay(deps: StreamRelayDeps) {
  const heldMs = deps.heldMs ?? DEFAULT_HELD_MS;
  const heldMax = deps.heldMax ?? DEFAULT_HELD_MAX;
  let send: ((message: BusMessage) => void) | undefined;
  // Held back (nobody listening), oldest first, with when: a ring trimmed from the front.
  let held: Array<{ message: BusMessage; at: number }> = [];
  let heldStart = 0;
  const stats = { heldBack: 0 };

  function onLocal(m: BusMessage): void {
    if (m.origin !== undefined || !send) return;
    if (m.channel === 'progress' || !deps.othersListening || deps.othersListening()) return send(m);
    stats.heldBack++;
    const now = performance.now();
    held.push({ message: m, at: now });
    trimHeld(now);
  }

  function trimHeld(now: number): void {
    while (heldStart < held.length && (held.length - heldStart > heldMax || held[heldStart]!.at < now - heldMs)) heldStart++;
    if (heldStart > 1024 && heldStart * 2 > held.length) {
      held = held.slice(heldStart);
      heldStart = 0;
    }
  }

  /** A daemon announced its first stream client: sends what was held back in the last heldMs, in order. */
  function sendHeld(): void {
    trimHeld(performance.now());
    const out = held.slice(heldStart);
    held = [];
    heldStart = 0;
    for (const { message } of out) send?.(message);
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
    sendHeld,
    stats: () => ({ ...stats }),
    /** From now on local messages go to `to` (the transport, built with receive as its delivery): it must not wait or throw. */
    start(to: (message: BusMessage) => void): void {
      send = to;
      deps.bus.on('message', onLocal);
    },
    stop(): void {
      deps.bus.off('message', onLocal);
      send = undefined;
      held = [];
      heldStart = 0;
    },
  };
}
