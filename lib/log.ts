// The daemon's logger (pino): JSON by default, pretty on a TTY or when asked. Authorization
// headers, tokens and secrets are redacted by path wherever they might appear, and the known
// secret values (config secrets, tokens) by value in every line, whatever field holds them.
import pino, { type Logger } from 'pino';
import { createRedactor, redactJsonText } from '../runtime/index.ts';

export type { Logger };

export const REDACT_PATHS = [
  'token',
  'secret',
  '*.token',
  '*.secret',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'auth.tokens',
  'secrets',
  '*.secrets',
  'integrations.*.apiKey',
  '*.integrations.*.apiKey',
];

export interface LoggerOptions {
  level: string;
  pretty: boolean | 'auto';
  /** Where JSON lines go; stdout when absent. Tests pass a sink here. */
  destination?: pino.DestinationStream;
  /**
   * Values that must never appear in a line (in any form: an error message quoting a secret
   * is JSON-escaped in the line), replaced by [redacted] in the written text. A Set may grow
   * while the logger lives (tokens a reload adds): what it holds at each line is redacted.
   */
  redactValues?: ReadonlySet<string> | readonly string[];
}

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty === 'auto' ? Boolean(process.stdout.isTTY) && !options.destination : options.pretty;
  const values = options.redactValues ?? [];
  const sizeOf = () => ('size' in values ? values.size : values.length);
  // Rebuilt when the set has grown (it only grows): one size check a line.
  let redactor = createRedactor(values);
  let builtFor = sizeOf();
  const current = () => {
    if (sizeOf() !== builtFor) [redactor, builtFor] = [createRedactor(values), sizeOf()];
    return redactor;
  };
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    ...(sizeOf() > 0 || 'size' in values
      ? { hooks: { streamWrite: (line: string) => { const r = current(); return r ? redactJsonText(line, r) : line; } } }
      : {}),
  };
  if (pretty && !options.destination) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
