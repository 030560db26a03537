// The `hookd` command line parsed in-process (lib/cli/program.ts with its output captured):
// unknown verbs and options, missing or bad values are usage errors (exit 2) that say what is
// wrong; --help lists the verbs and exits 0. Spawning the built CLI is test/e2e/cli.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeFailure, EXIT } from '../../../lib/cli/exit.ts';
import { createProgram } from '../../../lib/cli/program.ts';

/** Parses `args` as `hookd args...` would, and answers the exit code, the line hookd prints and what commander wrote. */
async function parse(args: string[]): Promise<{ code: number; message?: string; out: string; err: string }> {
  let out = '';
  let err = '';
  const program = createProgram({ writeOut: (s) => void (out += s), writeErr: (s) => void (err += s) });
  try {
    await program.parseAsync(['node', 'hookd', ...args]);
    return { code: EXIT.OK, out, err };
  } catch (error) {
    return { ...describeFailure(error), out, err };
  }
}

describe('hookd argument parsing', () => {
  test('--help lists every verb and the exit codes, and exits 0', async () => {
    const r = await parse(['--help']);
    assert.equal(r.code, EXIT.OK);
    assert.equal(r.message, undefined);
    for (const verb of ['serve', 'check', 'run-hook', 'migrate', 'token']) assert.match(r.out, new RegExp(`^  ${verb}\\b`, 'm'), verb);
    assert.match(r.out, /Exit codes: 0 ok, 1 failure/);
  });

  test('no verb prints the help on stderr and is a usage error', async () => {
    const r = await parse([]);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.err, /Usage: hookd \[options\] \[command\]/);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['an unknown verb', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown option', ['check', '--bogus'], /unknown option '--bogus'/],
    ['an option without its value', ['check', '--hooks-dir'], /option '--hooks-dir <dir>' argument missing/],
    ['run-hook without its file', ['run-hook'], /missing required argument 'file'/],
    ['token create without --name', ['token', 'create'], /required option '--name <name>' not specified/],
    ['an unknown token verb', ['token', 'revoke'], /unknown command 'revoke'/],
  ];
  for (const [what, args, said] of usage) {
    test(`${what} is exit 2 and says what is wrong (commander prints it, with the help after)`, async () => {
      const r = await parse(args);
      assert.equal(r.code, EXIT.USAGE, r.err);
      assert.equal(r.message, undefined, 'commander printed it already: hookd adds nothing');
      assert.match(r.err, said);
      assert.match(r.err, /Usage: hookd/);
    });
  }

  test('token create with an unknown scope is exit 2 naming the scope and the valid ones, before touching a database', async () => {
    const r = await parse(['token', 'create', '--name', 'x', '--scope', 'events', 'root', '--config', '/nonexistent/hookd.yaml']);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.message ?? '', /^hookd: unknown scope "root": use events, admin, metrics$/);
  });
});
