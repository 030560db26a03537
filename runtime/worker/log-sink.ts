// A call's log: console.* and ctx.log.* lines, formatted to strings inside the call (a hook's
// objects never leave it, and no host formatter such as util.inspect ever sees them), with
// granted secrets redacted, capped by the log budget (bytes as stored and lines) so a chatty
// hook cannot grow the reply or the invocation record.
import { createLogBudget, describeDropped, type LogLimits } from './log-budget.ts';
import type { LogLine } from '../protocol.ts';
import type { Redactor } from './redact.ts';
import { countingReplacer } from './bounded-json.ts';
import { stringFits } from './heap-budget.ts';

export type LogLevel = LogLine['level'];

export interface LogSink {
  write(level: LogLevel, args: readonly unknown[]): void;
  readonly lines: LogLine[];
  readonly truncated: boolean;
  /** The lines kept, then one marker line counting what was dropped, if anything was. */
  finish(): LogLine[];
}

// Formatting visits at most this many values per argument: a huge object logs as a marker
// instead of costing the call its whole deadline.
const MAX_VISITS = 5_000;
const TOO_LARGE = Symbol('too large');
// And at most this many characters of strings and keys: JSON.stringify builds its text inside
// V8, where a worker at its heap limit aborts the whole sandbox host (native-budget.ts).
const MAX_FORMATTED_CHARS = 1024 * 1024;

function describeFunction(fn: Function): string {
  try {
    const name = fn.name;
    return typeof name === 'string' && name !== '' ? `[Function ${name}]` : '[Function]';
  } catch {
    return '[Function]';
  }
}

// A plain object whose keys hold a secret, as a copy with those keys redacted (values shared).
function withRedactedKeys(value: object, redact: Redactor): object {
  const keys = Object.keys(value);
  if (!keys.some((k) => redact.text(k) !== k)) return value;
  const copy: Record<string, unknown> = Object.create(null);
  for (const k of keys) copy[redact.text(k)] = (value as Record<string, unknown>)[k];
  return copy;
}

// Redacting or joining a string flattens it in native code: one too large for that is not read.
function loggable(text: string): string {
  return stringFits(text.length) ? text : `[a string of ${text.length} characters, too large to log]`;
}

function errorLine(error: Error): string {
  return `${loggable(String(error.name))}: ${loggable(String(error.message))}`;
}

function jsonReplacer(redact: Redactor | undefined): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  let visits = 0;
  return (_key, value) => {
    visits += 1;
    if (visits > MAX_VISITS) throw TOO_LARGE;
    switch (typeof value) {
      case 'string': return redact ? redact.text(value) : value;
      case 'bigint': return `${value}n`;
      case 'symbol': return value.toString();
      case 'function': return describeFunction(value);
      case 'undefined': return '[undefined]';
      case 'object':
        if (value === null) return null;
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
        if (value instanceof Error) return errorLine(value);
        return redact && !Array.isArray(value) ? withRedactedKeys(value, redact) : value;
      default: return value;
    }
  };
}

/**
 * One argument as a string; hook code (getters, toJSON) may run, inside the call. With a
 * redactor, secrets go from every string and key before JSON escaping could hide them.
 */
export function formatLogValue(value: unknown, redact?: Redactor): string {
  try {
    switch (typeof value) {
      case 'string': {
        const text = loggable(value);
        return redact && text === value ? redact.text(value) : text;
      }
      case 'number': case 'boolean': case 'undefined': return String(value);
      case 'bigint': return `${value}n`;
      case 'symbol': return value.toString();
      case 'function': return describeFunction(value);
      default: break;
    }
    if (value === null) return 'null';
    if (value instanceof Error) return errorLine(value);
    const json: unknown = JSON.stringify(value, countingReplacer(MAX_FORMATTED_CHARS, TOO_LARGE, jsonReplacer(redact)));
    return typeof json === 'string' ? json : '[unformattable]';
  } catch (err) {
    return err === TOO_LARGE ? '[object too large to log]' : '[unformattable]';
  }
}

/**
 * A sink within `limits` (see log-budget.ts); once spent, further lines are only counted.
 * `redact` runs on each argument and again on the whole message (its JSON-escaped and
 * URL-encoded forms, a secret split over arguments) before the line is measured and kept.
 */
export function createLogSink(limits: LogLimits, redact?: Redactor): LogSink {
  const lines: LogLine[] = [];
  const budget = createLogBudget(limits);
  return {
    lines,
    get truncated() {
      return budget.full;
    },
    write(level, args) {
      if (budget.full) {
        budget.drop(1);
        return;
      }
      let message = '';
      for (let i = 0; i < args.length; i += 1) {
        if (i > 0) message += ' ';
        message += formatLogValue(args[i], redact);
        if (message.length > limits.maxBytes) break;
      }
      if (redact) message = redact.text(message);
      const kept = budget.admit(level, message, new Date().toISOString());
      if (kept) lines.push(kept);
    },
    finish() {
      if (!budget.full) return lines;
      const message = `log truncated at ${limits.maxBytes} bytes as stored or ${limits.maxLines} lines (config runtime.maxLogSize, runtime.maxLogLines): ${describeDropped(budget)}`;
      return [...lines, { level: 'warn', message, at: new Date().toISOString() }];
    },
  };
}
