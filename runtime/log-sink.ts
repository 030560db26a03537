// A call's log: console.* and ctx.log.* lines, formatted to strings inside the call (a hook's
// objects never leave it, and no host formatter such as util.inspect ever sees them), capped
// in bytes so a chatty hook cannot grow the reply.
import type { LogLine } from './protocol.ts';

export type LogLevel = LogLine['level'];

export interface LogSink {
  write(level: LogLevel, args: readonly unknown[]): void;
  readonly lines: LogLine[];
  readonly truncated: boolean;
}

// Formatting visits at most this many values per argument: a huge object logs as a marker
// instead of costing the call its whole deadline.
const MAX_VISITS = 5_000;
const TOO_LARGE = Symbol('too large');

function describeFunction(fn: Function): string {
  try {
    const name = fn.name;
    return typeof name === 'string' && name !== '' ? `[Function ${name}]` : '[Function]';
  } catch {
    return '[Function]';
  }
}

function jsonReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  let visits = 0;
  return (_key, value) => {
    visits += 1;
    if (visits > MAX_VISITS) throw TOO_LARGE;
    switch (typeof value) {
      case 'bigint': return `${value}n`;
      case 'symbol': return value.toString();
      case 'function': return describeFunction(value);
      case 'undefined': return '[undefined]';
      case 'object':
        if (value === null) return null;
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
        if (value instanceof Error) return `${String(value.name)}: ${String(value.message)}`;
        return value;
      default: return value;
    }
  };
}

/** One argument as a string; hook code (getters, toJSON) may run, inside the call. */
export function formatLogValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string': return value;
      case 'number': case 'boolean': case 'undefined': return String(value);
      case 'bigint': return `${value}n`;
      case 'symbol': return value.toString();
      case 'function': return describeFunction(value);
      default: break;
    }
    if (value === null) return 'null';
    if (value instanceof Error) return `${String(value.name)}: ${String(value.message)}`;
    const json: unknown = JSON.stringify(value, jsonReplacer());
    return typeof json === 'string' ? json : '[unformattable]';
  } catch (err) {
    return err === TOO_LARGE ? '[object too large to log]' : '[unformattable]';
  }
}

/**
 * A sink holding at most `maxBytes` of messages; once full, further lines are counted out.
 * `redact` (secret values -> a marker) runs on each line before it is measured and kept.
 */
export function createLogSink(maxBytes: number, redact?: (text: string) => string): LogSink {
  const lines: LogLine[] = [];
  let used = 0;
  let truncated = false;
  return {
    lines,
    get truncated() {
      return truncated;
    },
    write(level, args) {
      if (truncated) return;
      let message = '';
      for (let i = 0; i < args.length; i += 1) {
        if (i > 0) message += ' ';
        message += formatLogValue(args[i]);
        if (message.length > maxBytes) break;
      }
      if (redact) message = redact(message);
      let bytes = Buffer.byteLength(message, 'utf8');
      if (used + bytes > maxBytes) {
        truncated = true;
        const room = maxBytes - used;
        if (room <= 0) return;
        message = Buffer.from(message, 'utf8').subarray(0, room).toString('utf8');
        bytes = room;
      }
      used += bytes;
      lines.push({ level, message, at: new Date().toISOString() });
    },
  };
}
