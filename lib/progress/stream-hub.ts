// The live subscribers of GET /stream: fans bus messages out to each matching client's
// bounded writer, sends heartbeats, ends the streams whose opener lost access (recheck, at a
// config reload), and every stream on stop. Side effects: a bus listener and a heartbeat
// timer, both only while at least one client is connected.
import type { Writable } from 'node:stream';
import type { Bus, BusMessage } from '../bus.ts';
import type { Config } from '../config/index.ts';
import { errors } from '../errors.ts';
import type { EventPattern } from '../event-pattern.ts';
import { createSseClient, type Frame, type SseClient } from './sse-client.ts';
import { frameMessage, streamPreamble } from './sse-frame.ts';

interface Subscriber {
  client: SseClient;
  /** The principal (token name) that opened it: each has a share of the slots. */
  owner: string;
  matches: EventPattern;
  /** Whether whoever opened it may still hold it (its token still valid, with a scope for it). */
  allowed: () => Promise<boolean>;
  /** While a replay runs, live business events and hook outcomes wait here, framed (bounded like the client's queue). */
  held: Array<{ message: BusMessage; frame: Frame }> | undefined;
  heldBytes: number;
}

export interface StreamConnection {
  /** Writes a replayed or control frame (through the bounded queue). */
  send(frame: Frame): void;
  /** Resolves when the client has taken everything queued: replay paces itself on it. */
  whenFlushed(): Promise<void>;
  isClosed(): boolean;
  close(): void;
  /** Ends the replay: sends the held live messages, minus the ids the replay already sent. */
  goLive(replayedIds?: ReadonlySet<string>): void;
}

export function createStreamHub(deps: { bus: Bus; config: Config['stream'] }) {
  const { config } = deps;
  const subscribers = new Set<Subscriber>();
  // Open streams per owner: one token filling every slot would lock all others out.
  const perOwner = new Map<string, number>();
  let heartbeat: NodeJS.Timeout | undefined;
  let listening = false;
  let stopped = false;
  const totals = { opened: 0, dropped: 0, sent: 0, coalesced: 0, peakQueued: 0 };

  function onMessage(m: BusMessage): void {
    let frame: Frame | undefined; // formatted once, shared by every client's queue
    for (const s of subscribers) {
      if (!s.matches(m.type)) continue;
      if (s.held && m.channel !== 'progress') {
        frame ??= frameMessage(m);
        if (s.held.length >= config.clientQueueLimit || s.heldBytes + frame.bytes > config.clientQueueBytes) {
          s.client.drop('SLOW_CLIENT', 'too many live events arrived during the replay; reconnect');
        } else {
          s.held.push({ message: m, frame });
          s.heldBytes += frame.bytes;
        }
        continue;
      }
      s.client.send((frame ??= frameMessage(m)));
    }
  }

  function setListening(on: boolean): void {
    if (on === listening) return;
    listening = on;
    if (on) {
      deps.bus.on('message', onMessage);
      if (config.heartbeatMs > 0) {
        heartbeat = setInterval(() => {
          for (const s of subscribers) s.client.comment('ping');
        }, config.heartbeatMs);
        heartbeat.unref();
      }
    } else {
      deps.bus.off('message', onMessage);
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  }

  /** Throws the HTTP error to answer instead of a stream: call it before sending headers. */
  function assertCanOpen(owner: string): void {
    if (stopped) throw errors.shuttingDown();
    if ((perOwner.get(owner) ?? 0) >= config.maxClientsPerToken) {
      throw errors.tooManyStreamsForToken(owner, config.maxClientsPerToken, Math.max(1, Math.ceil(config.retryMs / 1000)));
    }
    if (subscribers.size >= config.maxClients) throw errors.tooManyStreams(config.maxClients);
  }

  /** Starts a stream on `target` (headers just sent) for `owner`; throws when full or stopping. */
  function open(target: Writable, options: { matches: EventPattern; replaying: boolean; owner: string; allowed: () => Promise<boolean> }): StreamConnection {
    const { owner } = options;
    assertCanOpen(owner);
    totals.opened++;
    perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
    const subscriber: Subscriber = { client: undefined!, owner, matches: options.matches, allowed: options.allowed, held: options.replaying ? [] : undefined, heldBytes: 0 };
    subscriber.client = createSseClient({
      target,
      queueLimit: config.clientQueueLimit,
      queueBytes: config.clientQueueBytes,
      onDrop: () => totals.dropped++,
      onClose: () => {
        const s = subscriber.client.stats();
        totals.sent += s.sent;
        totals.coalesced += s.coalesced;
        totals.peakQueued = Math.max(totals.peakQueued, s.peakQueued);
        subscribers.delete(subscriber);
        const left = (perOwner.get(owner) ?? 1) - 1;
        if (left > 0) perOwner.set(owner, left);
        else perOwner.delete(owner);
        if (subscribers.size === 0) setListening(false);
      },
    });
    target.write(streamPreamble(config.retryMs));
    subscribers.add(subscriber);
    setListening(true);
    const { client } = subscriber;
    return {
      send: client.send,
      whenFlushed: client.whenFlushed,
      isClosed: client.isClosed,
      close: client.close,
      goLive(replayedIds) {
        const held = subscriber.held ?? [];
        subscriber.held = undefined;
        subscriber.heldBytes = 0;
        for (const { message: m, frame } of held) if (!(m.channel === 'event' && m.id !== undefined && replayedIds?.has(m.id))) client.send(frame);
      },
    };
  }

  function stats() {
    let queued = 0;
    let { sent, coalesced, peakQueued } = totals;
    for (const s of subscribers) {
      const c = s.client.stats();
      queued += c.queued;
      sent += c.sent;
      coalesced += c.coalesced;
      peakQueued = Math.max(peakQueued, c.peakQueued);
    }
    return { clients: subscribers.size, opened: totals.opened, dropped: totals.dropped, queued, peakQueued, sent, coalesced };
  }

  /**
   * Ends, cleanly, the open streams whose opener may no longer hold one: a stream is
   * authenticated once, when it opens, so a token a reload removed (or whose scopes no longer
   * allow /stream) would otherwise keep receiving for as long as the connection lasts.
   */
  async function recheck(): Promise<void> {
    await Promise.all([...subscribers].map(async (s) => {
      if (!(await s.allowed())) s.client.close();
    }));
  }

  /** Ends every open stream and refuses new ones: an open stream must not hold up shutdown. */
  function stop(): void {
    stopped = true;
    for (const s of [...subscribers]) s.client.close();
    setListening(false);
  }

  return { assertCanOpen, open, recheck, stats, stop };
}

export type StreamHub = ReturnType<typeof createStreamHub>;
