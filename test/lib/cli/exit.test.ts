// Which error that reaches the top of `hookd` means which exit code, and what line is printed:
// the user's input at fault is 2 with our message; any other failure 1, with our message when we
// described it (a database out of reach), with the stack when nobody did (a bug).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommanderError } from 'commander';
import { describeFailure, EXIT, usageError } from '../../../lib/cli/exit.ts';
import { errors } from '../../../lib/errors.ts';

describe('hookd exit codes', () => {
  const cases: Array<[string, unknown, number, RegExp | undefined]> = [
    ['--help (commander, exit 0)', new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), EXIT.OK, undefined],
    ['--version', new CommanderError(0, 'commander.version', '0.1.0'), EXIT.OK, undefined],
    ['a commander usage error (already printed by commander)', new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"), EXIT.USAGE, undefined],
    ['our usage error', usageError('a token named "a" exists already'), EXIT.USAGE, /^hookd: a token named "a" exists already$/],
    ['an invalid config', errors.config('runtime.timeout must be a duration'), EXIT.USAGE, /^hookd: runtime\.timeout must be a duration$/],
    ['a hook that does not compile', errors.compile('x.js', 'Unexpected token', 2, 5), EXIT.USAGE, /^hookd: .*Unexpected token/],
    ['a payload of an unknown type', errors.unknownEventType('media.nothing'), EXIT.USAGE, /^hookd: .*media\.nothing/],
    ['a file not found', errors.notFound('hook file', 'x.js'), EXIT.USAGE, /^hookd: .*x\.js/],
    ['a HookdError that is not the input\'s fault (our message, no stack)', errors.shuttingDown(), EXIT.FAILURE, /^hookd: hookd is shutting down; retry shortly$/],
    ['a database out of reach (our line, no stack)', errors.storageOpen('connect to PostgreSQL at h:1 (storage.url)', 'connect ECONNREFUSED', 'check it', new Error('x')), EXIT.FAILURE, /^hookd: cannot connect to PostgreSQL at h:1 \(storage\.url\): connect ECONNREFUSED; check it$/],
    ['an internal error (with its stack)', errors.internal(new Error('bug')), EXIT.FAILURE, /^hookd: HookdError: internal error\n\s+at /],
    ['an unexpected error (with its stack)', new Error('disk on fire'), EXIT.FAILURE, /^hookd: Error: disk on fire\n\s+at /],
    ['a thrown string', 'nope', EXIT.FAILURE, /^hookd: nope$/],
  ];
  for (const [what, error, code, message] of cases) {
    test(`${what} exits ${code}`, () => {
      const r = describeFailure(error);
      assert.equal(r.code, code);
      if (message) assert.match(r.message ?? '', message);
      else assert.equal(r.message, undefined);
    });
  }
});
