// One SSE subscriber's writer: writes frames while the socket keeps up, holds them in a
// bounded queue while it does not (progress coalesced by key), and drops the client past the
// bound with a final error event, so a client that stops reading cannot grow memory.
import type { Writable } from 'node:stream';

export interface Frame {
  text: string;
  /** UTF-8 length of text, computed once per message rather than once per client. */
  bytes: number;
  /** Set for progress: a queued frame with the same key is replaced (latest wins). */
  coalesceKey?: string;
}

export interface SseClientDeps {
  target: Writable;
  queueLimit: number;
  queueBytes: number;
  /** Called once when the client is dropped for falling behind. */
  onDrop?: () => void;
  /** Called once when the stream is over, whatever ended it. */
  onClose?: () => void;
}

// A dropped or stopped stream gets an orderly end, and its socket is destroyed this long
// after, so a peer that reads nothing cannot keep the buffered bytes alive.
const DROP_GRACE_MS = 2_000;

export function createSseClient(deps: SseClientDeps) {
  const { target } = deps;
  // Insertion-ordered: progress frames are keyed by (type, key) so a newer one replaces the
  // queued one in O(1); other frames get unique keys and keep their order.
  const queue = new Map<string, Frame>();
  let queuedBytes = 0;
  let serial = 0;
  let blocked = false;
  let closed = false;
  let sent = 0;
  let coalesced = 0;
  let peakQueued = 0;
  let waiters: Array<() => void> = [];

  target.on('drain', pump);
  target.on('close', () => finish());
  // A write error means the peer is gone; 'close' follows. Without a listener it would throw.
  target.on('error', () => finish());

  function write(text: string): void {
    sent++;
    if (!target.write(text)) blocked = true;
  }

  function pump(): void {
    blocked = false;
    while (!blocked && !closed && queue.size > 0) {
      const [key, frame] = queue.entries().next().value!;
      queue.delete(key);
      queuedBytes -= frame.bytes;
      write(frame.text);
    }
    if (!blocked && queue.size === 0) release();
  }

  function release(): void {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  }

  /** Writes now, or queues while the socket is behind; drops the client past the bound. */
  function send(frame: Frame): void {
    if (closed) return;
    if (target.destroyed) return finish();
    if (!blocked && queue.size === 0) return write(frame.text);
    const key = frame.coalesceKey ?? `#${serial++}`;
    const previous = frame.coalesceKey === undefined ? undefined : queue.get(key);
    if (previous !== undefined) {
      queue.delete(key);
      queuedBytes -= previous.bytes;
      coalesced++;
    } else if (queue.size >= deps.queueLimit || queuedBytes + frame.bytes > deps.queueBytes) {
      return drop('SLOW_CLIENT', `this client fell ${queue.size} messages behind; reconnect (Last-Event-ID resumes business events)`);
    }
    queue.set(key, frame);
    queuedBytes += frame.bytes;
    if (queue.size > peakQueued) peakQueued = queue.size;
  }

  /** A comment line (heartbeat); skipped while frames wait, which prove liveness anyway. */
  function comment(text: string): void {
    if (!closed && !blocked && queue.size === 0 && !target.write(`: ${text}\n\n`)) blocked = true;
  }

  /** Sends a final error event, ends the stream and frees the queue. */
  function drop(code: string, message: string): void {
    if (closed) return;
    deps.onDrop?.();
    endThenDestroy(`event: error\ndata: ${JSON.stringify({ code, message })}\n\n`);
  }

  /** Ends the stream (daemon stop); frames still queued are not sent. */
  function close(): void {
    if (!closed) endThenDestroy();
  }

  // The end may never flush to a peer that does not read, and a response can emit 'close'
  // while its last bytes still wait in the socket: destroy after a grace period regardless.
  function endThenDestroy(last?: string): void {
    setTimeout(() => target.destroy(), DROP_GRACE_MS).unref();
    target.end(last);
    finish();
  }

  function finish(): void {
    if (closed) return;
    closed = true;
    queue.clear();
    queuedBytes = 0;
    release();
    deps.onClose?.();
  }

  /** Resolves once everything queued is written to the socket (or the client is gone). */
  function whenFlushed(): Promise<void> {
    if (closed || (!blocked && queue.size === 0)) return Promise.resolve();
    return new Promise((resolve) => waiters.push(resolve));
  }

  return {
    send,
    comment,
    drop,
    close,
    whenFlushed,
    isClosed: () => closed,
    stats: () => ({ queued: queue.size, queuedBytes, peakQueued, sent, coalesced, blocked }),
  };
}

export type SseClient = ReturnType<typeof createSseClient>;
