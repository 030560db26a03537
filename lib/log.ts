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
   * is JSON-escaped in the line), replaced by [redacted] in the written text.
   */
  redactValues?: Iterable<string>;
}

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty === 'auto' ? Boolean(process.stdout.isTTY) && !options.destination : options.pretty;
  const redactor = createRedactor(options.redactValues ?? []);
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    ...(redactor ? { hooks: { streamWrite: (line: string) => redactJsonText(line, redactor) } } : {}),
  };
  if (pretty && !options.destination) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
