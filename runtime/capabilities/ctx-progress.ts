// ctx.progress: validates one update and buffers a call's updates so that they leave the worker
// in batches (at most one message per FLUSH_MS, latest wins per key, plus one at the end of the
// call), never one message per update. Worker-only (needs lockdown()'s `harden`).
import { hookError } from './capability-errors.ts';
import type { CapabilityDeps, ProgressBuffer } from './call.ts';
import { checkExternalMemory } from '../worker/external-memory.ts';
import { findTooDeep } from '../worker/json-depth.ts';
import { stringifyWithin, TOO_LONG } from '../worker/bounded-json.ts';
import { stringFits } from '../worker/heap-budget.ts';
import type { ProgressItem } from '../protocol.ts';
import { parseRedacted, type Redactor } from '../worker/redact.ts';

const FLUSH_MS = 50;
/** Items one call may send in all; later updates are counted in `dropped`. */
export const MAX_PROGRESS_ITEMS_PER_CALL = 1_000;
/** Distinct keys in one batch; an update for a further key waits for no one and is dropped. */
export const MAX_PROGRESS_KEYS_PER_BATCH = 32;
const MAX_KEY_LENGTH = 128;
const MAX_MESSAGE_BYTES = 1_024;
const MAX_DATA_BYTES = 4_096;

/** One call's pending updates; `send` gets each batch (items in first-seen key order). */
export function createProgressBuffer(send: (items: ProgressItem[], dropped: number) => void): ProgressBuffer {
  const pending = new Map<string | undefined, ProgressItem>();
  let sent = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    timer = undefined;
    if (pending.size === 0 && dropped === 0) return;
    const items = [...pending.values()];
    sent += items.length;
    send(items, dropped);
    pending.clear();
    dropped = 0;
  }

  return {
    add(item) {
      const known = pending.has(item.key);
      if (!known && (sent + pending.size >= MAX_PROGRESS_ITEMS_PER_CALL || pending.size >= MAX_PROGRESS_KEYS_PER_BATCH)) {
        dropped += 1;
      } else {
        pending.set(item.key, item);
      }
      timer ??= setTimeout(flush, FLUSH_MS);
    },
    close() {
      clearTimeout(timer);
      flush();
    },
  };
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  // Cut on a code point boundary; the marker says the author's text was longer.
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes - 3) break;
    out += char;
    bytes += size;
  }
  return `${out}…`;
}

function invalid(message: string): Error {
  return hookError(TypeError, `ctx.progress: ${message}`);
}

/**
 * The hook's argument -> a plain item; reads each field once (getters run once, here). Granted
 * secrets are redacted from key, message and data (before the message is cut, so no part of one
 * survives the cut). `maxDataDepth`: how deep `data` may nest (it is stored one level down in the
 * progress payload).
 */
export function toProgressItem(update: unknown, at: string, redact?: Redactor, maxDataDepth?: number): ProgressItem {
  if (typeof update !== 'object' || update === null) throw invalid('pass an object such as { pct: 40, message: "copying" }');
  const { key, pct, message, data } = update as Record<string, unknown>;
  const item: ProgressItem = { at };
  if (key !== undefined) {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) throw invalid(`key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
    item.key = redact ? redact.text(key) : key;
  }
  if (pct !== undefined) {
    if (typeof pct !== 'number' || !(pct >= 0 && pct <= 100)) throw invalid(`pct must be a number from 0 to 100, got ${String(pct)}`);
    item.pct = pct;
  }
  if (message !== undefined) {
    if (typeof message !== 'string') throw invalid('message must be a string');
    // Truncating flattens the whole string first: one too large for that is refused untouched.
    if (!stringFits(message.length)) throw invalid(`message is ${message.length} characters; keep it under ${MAX_MESSAGE_BYTES} bytes`);
    item.message = truncateUtf8(redact ? redact.text(message) : message, MAX_MESSAGE_BYTES);
  }
  if (data !== undefined) {
    let json: string | undefined;
    try {
      json = stringifyWithin(data, MAX_DATA_BYTES);
    } catch (err) {
      if (err === TOO_LONG) throw invalid(`data is over ${MAX_DATA_BYTES} bytes as JSON; send a summary and keep details in the result`);
      throw invalid(`data must be JSON data: ${err instanceof Error ? err.message : 'it could not be serialized'}`);
    }
    if (json === undefined) throw invalid('data must be JSON data (not a function or symbol)');
    if (json.length > MAX_DATA_BYTES || Buffer.byteLength(json, 'utf8') > MAX_DATA_BYTES) {
      throw invalid(`data is over ${MAX_DATA_BYTES} bytes as JSON; send a summary and keep details in the result`);
    }
    const copy: unknown = parseRedacted(json, redact);
    const deep = maxDataDepth === undefined ? undefined : findTooDeep(copy, maxDataDepth);
    if (deep !== undefined) throw invalid(`data is nested more than ${maxDataDepth} levels deep at ${deep}`);
    item.data = copy;
  }
  return item;
}

/**
 * `ctx.progress(update)`: reports how far the hook is, live, to the daemon's progress stream.
 * Granted by `grants.progress: true`.
 *
 * ```js
 * export default async function (event, ctx) {
 *   for (let i = 0; i < files.length; i += 1) {
 *     await copy(files[i]);
 *     ctx.progress({ pct: ((i + 1) / files.length) * 100, message: `copied ${files[i]}` });
 *   }
 *   ctx.progress({ key: 'upload', pct: 100, data: { bytes: 1234 } });
 * }
 * ```
 * - `key` (string, optional): one progress bar among several; absent = the call's main one.
 * - `pct` (0..100), `message` (string, cut to 1 KiB), `data` (JSON data, at most 4 KiB,
 *   nested at most `events.maxDepth` - 1 levels deep). Values granted through `ctx.env` are
 *   replaced by `[redacted]` in key, message and data.
 * - Updates are batched: per key, only the latest of each ~50 ms window is sent. At most 1000
 *   updates per call are sent; later ones are counted as dropped. It never throws for a valid
 *   update, only a TypeError for a malformed one. After the call returns it does nothing.
 */
export type HookProgress = (update: { key?: string; pct?: number; message?: string; data?: unknown }) => void;

export function buildProgress(deps: CapabilityDeps): HookProgress | undefined {
  if (deps.grants.progress !== true) return undefined;
  const { call, hook } = deps;
  return function progress(update) {
    checkExternalMemory(call, 'ctx.progress');
    const current = call.current;
    if (!current) return; // a stray callback: its call's stream is closed
    const depth = deps.grants.maxJsonDepth;
    const item = toProgressItem(update, new Date().toISOString(), deps.redact, depth === undefined ? undefined : depth - 1);
    current.progress ??= createProgressBuffer((items, dropped) => {
      deps.post({ type: 'hook.progress', hookId: hook.id, hookName: hook.name, eventId: current.event.id, items, dropped });
    });
    current.progress.add(item);
  };
}
