// knex's own messages (a connection attempt that failed, a deprecation) as lines of hookd's log:
// by default knex writes them to the console as raw text, a stack included, beside the JSON lines.
// Warnings and errors keep their first line (the stack is knex's, of no use to an operator);
// the URL's password never appears. No log given: they are dropped (tests, the one-off verbs,
// which report a failure themselves).
import type { Knex } from 'knex';
import { withoutPassword } from './open-failure.ts';

/** The part of hookd's logger (pino) knex's messages go to. */
export interface DbLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** knex's `log` option, writing to `log`; `url`'s password is taken out of every message. */
export function knexLogTo(log: DbLog | undefined, url: string | undefined): Knex.Config['log'] {
  const line = (message: unknown, whole: boolean) => {
    const text = withoutPassword(typeof message === 'string' ? message : String(message), url);
    return whole ? text : text.split('\n', 1)[0]!;
  };
  const drop = () => {};
  if (!log) return { debug: drop, warn: drop, error: drop, deprecate: drop };
  return {
    debug: (message: unknown) => log.debug({ source: 'knex' }, line(message, true)),
    warn: (message: unknown) => log.warn({ source: 'knex' }, line(message, false)),
    error: (message: unknown) => log.error({ source: 'knex' }, line(message, false)),
    // knex composes "x is deprecated, please use y" itself.
    deprecate: (message: unknown) => log.warn({ source: 'knex' }, line(message, false)),
  };
}
