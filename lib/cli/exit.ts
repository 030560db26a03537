// Exit codes of the `hookd` command, which scripts rely on, and which errors mean which code.
import { CommanderError } from 'commander';
import { isHookdError } from '../errors.ts';

/** 0 ok; 1 a runtime failure (a hook that failed, a database out of reach or that cannot be opened, a failing disk); 2 usage, config or hook definition errors, a path or address hookd cannot use at start. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

// A HookdError with one of these codes is the user's input at fault: fix it and run again.
const USAGE_CODES: ReadonlySet<string> = new Set([
  'CONFIG', 'VALIDATION', 'MALFORMED_JSON', 'COMPILE_ERROR', 'UNPROCESSABLE', 'NOT_FOUND', 'UNKNOWN_EVENT_TYPE', 'SCHEMA_VIOLATION', 'JSON_TOO_DEEP',
]);

/** A usage error with our message: printed as `hookd: message`, exit 2. */
export function usageError(message: string): CommanderError {
  return new CommanderError(EXIT.USAGE, 'hookd.usage', message);
}

/** The exit code and the line (or none) to print for an error that reached the top. */
export function describeFailure(error: unknown): { code: number; message?: string } {
  if (error instanceof CommanderError) {
    const quiet = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0;
    // commander printed its own usage errors already; ours start with `hookd.`.
    const message = !quiet && error.code.startsWith('hookd.') ? `hookd: ${error.message}` : undefined;
    return { code: error.exitCode === 1 ? EXIT.USAGE : error.exitCode, message };
  }
  if (isHookdError(error) && USAGE_CODES.has(error.code)) return { code: EXIT.USAGE, message: `hookd: ${error.message}` };
  // Our own message says what failed and what to do (a database out of reach); a stack is kept
  // for what nobody described: a bug.
  if (isHookdError(error) && error.code !== 'INTERNAL') return { code: EXIT.FAILURE, message: `hookd: ${error.message}` };
  return { code: EXIT.FAILURE, message: `hookd: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
}
