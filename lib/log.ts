// The daemon's logger (pino): JSON by default, pretty on a TTY or when asked. Authorization
// headers, tokens and secrets are redacted by path wherever they might appear.
import pino, { type Logger } from 'pino';

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
];

export interface LoggerOptions {
  level: string;
  pretty: boolean | 'auto';
  /** Where JSON lines go; stdout when absent. Tests pass a sink here. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty === 'auto' ? Boolean(process.stdout.isTTY) && !options.destination : options.pretty;
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } };
  if (pretty && !options.destination) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
