// Hook definitions, as POST/PATCH /hooks and hook files give them: a table of definitions that
// are refused, each with its code and the JSON pointer of the field at fault, and of ones that
// are accepted with their defaults filled in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HookRecord } from '../../../lib/db/hooks-store.ts';
import { createHookDefinitions, DEFAULT_PRIORITY } from '../../../lib/dispatch/hook-definition.ts';
import { errors } from '../../../lib/errors.ts';
import { createFakeCompiler, defaultCatalog } from '../../helpers/unit-parts.ts';

function definitions(options: { commands?: boolean } = {}) {
  const checked: string[][] = [];
  const defs = createHookDefinitions({
    catalog: defaultCatalog(),
    compiler: createFakeCompiler(),
    profiles: ['default', 'large'],
    maxTimeoutMs: 60_000,
    checkCommand: options.commands === false ? undefined : async (argv) => {
      checked.push(argv);
      if (!argv[0]!.startsWith('/')) throw errors.unprocessable(`"${argv[0]}" is not an absolute path`, { pointer: '/command/0' });
    },
    refuseEnv: (name) => (name.startsWith('HOOKD_') ? 'hookd\'s own' : undefined),
  });
  return { defs, checked };
}

const base = { name: 'tidy', mode: 'filter', events: ['media.added'], source: 'export default () => {}' };

/** The code and the pointer (details.pointer, or the first schema problem's) of a refusal. */
async function refusal(run: Promise<unknown>): Promise<{ code: string; status: number; pointer: string | undefined; message: string }> {
  try {
    await run;
  } catch (err) {
    const e = err as { code: string; status: number; message: string; details?: { pointer?: string; problems?: Array<{ pointer: string }> } };
    return { code: e.code, status: e.status, pointer: e.details?.pointer ?? e.details?.problems?.[0]?.pointer, message: e.message };
  }
  assert.fail('the definition was accepted');
}

describe('a new hook is refused with the field at fault', () => {
  const cases: Array<[string, unknown, string, string | undefined, RegExp?]> = [
    ['not an object', ['tidy'], 'VALIDATION', undefined, /must be a JSON object/],
    ['no name', { ...base, name: undefined }, 'VALIDATION', '/name', /name/],
    ['a name with a space', { ...base, name: 'my hook' }, 'VALIDATION', '/name'],
    ['an unknown field', { ...base, colour: 'red' }, 'VALIDATION', '/colour'],
    ['an empty events list', { ...base, events: [] }, 'VALIDATION', '/events'],
    ['a mode that does not exist', { ...base, mode: 'both' }, 'VALIDATION', '/mode'],
    ['a pattern no catalog type matches', { ...base, events: ['media.added', 'nosuch.*'] }, 'UNPROCESSABLE', '/events/1', /matches no event type/],
    ['a priority out of range', { ...base, priority: 10_000_000 }, 'VALIDATION', '/priority'],
    ['a timeout above runtime.maxTimeout', { ...base, timeoutMs: 60_001 }, 'VALIDATION', '/timeoutMs', /above the maximum of 60000/],
    ['an unknown limit profile', { ...base, limits: 'huge' }, 'UNPROCESSABLE', '/limits', /known: default, large/],
    ['a bad net allowlist entry', { ...base, permissions: { net: ['http://x/'] } }, 'VALIDATION', '/permissions/net'],
    ['an env grant of a HOOKD_ name', { ...base, permissions: { env: ['TMDB', 'HOOKD_TOKEN'] } }, 'UNPROCESSABLE', '/permissions/env/1'],
    ['a module hook without source', { ...base, source: undefined }, 'VALIDATION', '/source'],
    ['a module hook with a command', { ...base, kind: 'module', command: ['/bin/true'] }, 'VALIDATION', '/command'],
    // Without "kind", a "command" makes it a command hook, so the source is what is out of place.
    ['source and command without kind', { ...base, command: ['/bin/true'] }, 'VALIDATION', '/source'],
    ['a command hook with source', { ...base, kind: 'command', command: ['/bin/true'] }, 'VALIDATION', '/source'],
    ['a command hook without command', { ...base, kind: 'command', source: undefined }, 'VALIDATION', '/command'],
    ['a command env grant of a HOOKD_ name', { ...base, source: undefined, command: ['/bin/true'], env: ['HOOKD_CONFIG'] }, 'UNPROCESSABLE', '/env/0'],
    ['a command the check refuses', { ...base, source: undefined, command: ['true'] }, 'UNPROCESSABLE', '/command/0'],
  ];
  for (const [what, input, code, pointer, message] of cases) {
    test(what, async () => {
      const got = await refusal(definitions().defs.forCreate(input, 'api'));
      assert.equal(got.code, code, got.message);
      if (pointer !== undefined) assert.equal(got.pointer, pointer, got.message);
      if (message) assert.match(got.message, message);
      assert.ok(got.status >= 400 && got.status < 500);
    });
  }

  test('a compile error names the file, line and column', async () => {
    const got = await refusal(definitions().defs.forCreate({ ...base, source: 'export default (\nSYNTAX ERROR' }, 'file', '/hooks/tidy.js'));
    assert.equal(got.code, 'COMPILE_ERROR');
    assert.equal(got.status, 400);
    assert.match(got.message, /tidy\.js/);
  });

  test('a source holding U+0000 is refused at its line and column, before compiling', async () => {
    const got = await refusal(definitions().defs.forCreate({ ...base, source: 'export default () => {\n  return "a\u0000b";\n};' }, 'file', '/hooks/tidy.js'));
    assert.equal(got.code, 'COMPILE_ERROR');
    assert.equal(got.status, 400);
    assert.match(got.message, /tidy\.js:2:12: .*NUL character/);
  });

  test('command hooks are refused when the build has no command runner', async () => {
    const got = await refusal(definitions({ commands: false }).defs.forCreate({ ...base, source: undefined, command: ['/bin/true'] }, 'api'));
    assert.equal(got.code, 'UNPROCESSABLE');
    assert.match(got.message, /not available/);
  });
});

describe('an accepted hook', () => {
  test('gets the defaults: priority, enabled, no env, no permissions; its source compiled under its name', async () => {
    const fields = await definitions().defs.forCreate(base, 'api');
    assert.equal(fields.priority, DEFAULT_PRIORITY);
    assert.equal(fields.kind, 'module');
    assert.equal(fields.enabled, true);
    assert.deepEqual(fields.env, []);
    assert.deepEqual(fields.permissions, {});
    assert.equal(fields.timeoutMs, null);
    assert.equal(fields.compiled?.filename, 'tidy.js');
    assert.equal(fields.origin, 'api');
  });

  test('a "command" without "kind" is a command hook, its argv checked', async () => {
    const { defs, checked } = definitions();
    const fields = await defs.forCreate({ ...base, source: undefined, command: ['/usr/bin/env', 'x'], env: ['TMDB'] }, 'file', '/hooks/c.yaml');
    assert.equal(fields.kind, 'command');
    assert.deepEqual(fields.command, ['/usr/bin/env', 'x']);
    assert.deepEqual(checked, [['/usr/bin/env', 'x']]);
    assert.equal(fields.compiled, null);
    assert.equal(fields.filePath, '/hooks/c.yaml');
  });
});

describe('a change (PATCH)', () => {
  const existing = { ...base, id: 'h1', kind: 'module', filePath: null, name: 'tidy' } as unknown as HookRecord;

  test('returns only the fields it changes', async () => {
    assert.deepEqual(await definitions().defs.forUpdate(existing, { priority: 5, enabled: false }), { priority: 5, enabled: false });
  });

  const cases: Array<[string, unknown, string, string]> = [
    ['a kind change', { kind: 'command' }, 'VALIDATION', '/kind'],
    ['a pattern that matches nothing', { events: ['nosuch'] }, 'UNPROCESSABLE', '/events/0'],
    ['a command on a module hook', { command: ['/bin/true'] }, 'VALIDATION', '/command'],
    ['an unknown field', { owner: 'me' }, 'VALIDATION', '/owner'],
  ];
  for (const [what, input, code, pointer] of cases) {
    test(`refuses ${what} at ${pointer}`, async () => {
      const got = await refusal(definitions().defs.forUpdate(existing, input));
      assert.equal(got.code, code, got.message);
      assert.equal(got.pointer, pointer, got.message);
    });
  }

  test('a new source is compiled under the hook name', async () => {
    const fields = await definitions().defs.forUpdate(existing, { source: 'export default () => 1' });
    assert.equal(fields.compiled?.filename, 'tidy.js');
  });
});
