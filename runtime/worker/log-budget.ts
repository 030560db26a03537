// How much of a run's log is kept: bytes counted as stored (each line's whole JSON, level, at
// and escaping included, as the invocation record holds it) and a number of lines. One rule
// for module hooks (the worker's log sink) and command hooks (lib/commands output capture).
// Pure: no clock, no I/O. Lives in worker/ beside the log sink it bounds; the daemon reaches it
// through runtime/index.ts.
import type { LogLine } from '../protocol.ts';

export interface LogLimits {
  maxBytes: number;
  maxLines: number;
}

export interface LogBudget {
  /**
   * The line as kept, or undefined when it does not fit: the line that reaches the byte limit
   * is kept with its message cut to fit; after it (or at the line limit) every line is dropped.
   */
  admit(level: LogLine['level'], message: string, at: string): LogLine | undefined;
  /** Counts lines the caller dropped without formatting them (the budget is spent). */
  drop(lines: number): void;
  /** True once a line was cut or dropped (or the caller dropped some). */
  readonly full: boolean;
  /** Whether the last line kept had its message cut. */
  readonly cut: boolean;
  /** Bytes used as stored, and lines dropped so far. */
  readonly used: number;
  readonly dropped: number;
}

// JSON.stringify's escape of one UTF-16 code unit (or a surrogate pair's first unit), in bytes.
function escapedBytes(text: string, i: number): { bytes: number; units: number } {
  const code = text.charCodeAt(i);
  if (code === 0x22 || code === 0x5c) return { bytes: 2, units: 1 };
  if (code < 0x20) return { bytes: code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 2 : 6, units: 1 };
  if (code < 0x80) return { bytes: 1, units: 1 };
  if (code < 0x800) return { bytes: 2, units: 1 };
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return { bytes: 4, units: 2 };
    return { bytes: 6, units: 1 }; // a lone surrogate is written as \udxxx
  }
  if (code >= 0xdc00 && code <= 0xdfff) return { bytes: 6, units: 1 };
  return { bytes: 3, units: 1 };
}

/** The longest prefix of `text` whose JSON string body (escapes included) fits in `maxBytes`. */
export function cutToJsonBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const step = escapedBytes(text, i);
    if (bytes + step.bytes > maxBytes) break;
    bytes += step.bytes;
    i += step.units;
  }
  return text.slice(0, i);
}

/**
 * What a spent budget dropped, for the one marker line that ends a truncated log: in lines, or
 * in bytes when the caller counted them instead (a program's output is not split once spent).
 */
export function describeDropped(budget: LogBudget, droppedBytes?: number): string {
  const count = droppedBytes === undefined ? `${budget.dropped} more line${budget.dropped === 1 ? '' : 's'}` : `${droppedBytes} more bytes`;
  return `${budget.cut ? 'the last line kept was cut, ' : ''}${count} dropped`;
}

/** Bytes a line takes in a stored JSON array of lines: its JSON and the comma after it. */
export function storedLineBytes(line: LogLine): number {
  return Buffer.byteLength(JSON.stringify(line), 'utf8') + 1;
}

export function createLogBudget(limits: LogLimits): LogBudget {
  let used = 0;
  let lines = 0;
  let dropped = 0;
  let full = false;
  let cut = false;
  return {
    admit(level, message, at) {
      if (full || lines >= limits.maxLines) {
        full = true;
        dropped += 1;
        return undefined;
      }
      const line: LogLine = { level, message, at };
      const size = storedLineBytes(line);
      if (used + size <= limits.maxBytes) {
        used += size;
        lines += 1;
        return line;
      }
      full = true;
      const room = limits.maxBytes - used - storedLineBytes({ level, message: '', at });
      const prefix = room > 0 ? cutToJsonBytes(message, room) : '';
      if (prefix === '') {
        dropped += 1;
        return undefined;
      }
      cut = true;
      const kept: LogLine = { level, message: prefix, at };
      used += storedLineBytes(kept);
      lines += 1;
      return kept;
    },
    drop(count) {
      full = true;
      dropped += count;
    },
    get full() {
      return full;
    },
    get cut() {
      return cut;
    },
    get used() {
      return used;
    },
    get dropped() {
      return dropped;
    },
  };
}
