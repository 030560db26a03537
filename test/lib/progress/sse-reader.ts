// A test client for GET /stream that parses the wire format the way a browser EventSource
// does (fields, blank-line dispatch, the last event id persisting across frames without id).
import { ADMIN_TOKEN } from '../../helpers/daemon.ts';

export interface SseEvent {
  event: string;
  data: string;
  /** The last event id as EventSource reports it (persists across frames without id). */
  lastEventId: string;
  json: any;
}

export interface SseParser {
  push(text: string): void;
  events: SseEvent[];
  comments: string[];
  retry: number | undefined;
}

export function createSseParser(onEvent: (e: SseEvent) => void = () => {}): SseParser {
  let buffer = '';
  let lastEventId = '';
  let event = '';
  let data: string[] = [];
  const parser: SseParser = {
    events: [],
    comments: [],
    retry: undefined,
    push(text) {
      buffer += text;
      let nl: number;
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) {
            const text = data.join('\n');
            const e = { event: event || 'message', data: text, lastEventId, json: safeJson(text) };
            parser.events.push(e);
            onEvent(e);
          }
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) {
          parser.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id' && !value.includes('\0')) lastEventId = value;
        else if (field === 'retry' && /^\d+$/.test(value)) parser.retry = Number(value);
      }
    },
  };
  return parser;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface StreamReader {
  status: number;
  headers: Headers;
  parser: SseParser;
  /** Resolves with the first event (already received or future) that satisfies `match`. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the stream is over: true when the server ended it cleanly, false on a reset. */
  ended: Promise<boolean>;
  close(): void;
}

export async function openStream(
  baseUrl: string,
  path: string,
  options: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<StreamReader> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(new URL(path, baseUrl), { headers, signal: abort.signal });
  const waiters = new Set<() => void>();
  let done = false;
  const parser = createSseParser(() => waiters.forEach((w) => w()));
  const ended = (async () => {
    let clean = true;
    if (res.body) {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body) parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
      } catch {
        clean = false; // aborted by close(), or the connection was cut
      }
    }
    done = true;
    waiters.forEach((w) => w());
    return clean;
  })();
  return {
    status: res.status,
    headers: res.headers,
    parser,
    ended,
    close: () => abort.abort(),
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = parser.events.find(match);
          if (found) {
            finish();
            resolve(found);
          } else if (done) {
            finish();
            reject(new Error(`the stream ended without the awaited event; got ${parser.events.map((e) => e.event).join(', ')}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no awaited event within ${timeoutMs} ms; got ${parser.events.map((e) => e.event).join(', ')}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
