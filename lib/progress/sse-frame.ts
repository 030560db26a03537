// The SSE wire format of GET /stream: one frame per bus message (`event:` is the event type,
// `data:` one JSON line, `id:` only on business events so Last-Event-ID resumes them).
import type { BusMessage } from '../bus.ts';
import type { Frame } from './sse-client.ts';

/** The JSON in a frame's data line, the same for every channel. */
export interface StreamMessage {
  channel: BusMessage['channel'];
  type: string;
  id?: string;
  key?: string;
  payload: unknown;
  at: string;
}

function frame(text: string, coalesceKey?: string): Frame {
  return { text, bytes: Buffer.byteLength(text), coalesceKey };
}

// JSON.stringify escapes newlines, so data is always one line; types and ids are checked
// patterns (no CR/LF), so they cannot break the framing either.
export function frameMessage(m: BusMessage): Frame {
  const body: StreamMessage = { channel: m.channel, type: m.type, payload: m.data, at: m.at };
  if (m.id !== undefined) body.id = m.id;
  if (m.key !== undefined) body.key = m.key;
  // Only business events are replayable, so only they set the client's last event id; other
  // frames leave it as it was (EventSource keeps the previous id when a frame has none).
  const idLine = m.channel === 'event' && m.id !== undefined ? `id: ${m.id}\n` : '';
  const text = `${idLine}event: ${m.type}\ndata: ${JSON.stringify(body)}\n\n`;
  return frame(text, m.channel === 'progress' ? `${m.type}\u0000${m.key ?? ''}` : undefined);
}

/** A stream-control event ("gap", "error"): not a catalog type, never carries an id. */
export function frameControl(event: string, data: Record<string, unknown>): Frame {
  return frame(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** The first bytes of a stream: the reconnect delay for EventSource and a comment. */
export function streamPreamble(retryMs: number): string {
  return `retry: ${retryMs}\n: hookd stream\n\n`;
}
