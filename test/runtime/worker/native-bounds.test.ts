import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createCompiler, createSandbox, type CompiledHook, type Sandbox } from '../../../runtime/index.ts';
import { compileFixture, taskFor } from '../harness.ts';
import { startServer, type LocalServer } from '../local-servers.ts';

// Two workers: the hostile call runs beside a call that waits on a local server until released.
const OPTIONS = { ...DEFAULT_SANDBOX_OPTIONS, minThreads: 2, maxThreads: 2 };

// What the call ends as, and the text that says why (in its error, or in its log for console).
type Expected = { status: string; message?: RegExp; log?: RegExp };
const BOUNDED = (name: string): Expected => ({ status: 'error', message: new RegExp(`^${name.replace('.', '\\.')}: .* over the .* limit profile "default"`) });
const CAPABILITIES: Record<string, Expected> = {
  'console.log': { status: 'ok', log: /^\[a string of 200000000 characters, too large to log\] \[object too large to log\]$/ },
  'ctx.log': { status: 'ok', log: /^Error: \[a string of 200000000 characters, too large to log\]$/ },
  'ctx.emit': { status: 'error', message: /^ctx\.emit: the payload of "test\.emitted" is over 65536 bytes as JSON$/ },
  'ctx.progress': { status: 'error', message: /^ctx\.progress: message is 200000000 characters/ },
  'ctx.progress data': { status: 'error', message: /^ctx\.progress: data is over 4096 bytes as JSON/ },
  'ctx.fetch': BOUNDED('ctx.fetch body'),
  'ctx.apps': { status: 'error', message: /^ctx\.apps\.radarr\.post: the body is over the 1024-byte limit/ },
  result: { status: 'invalid-result', message: /^the hook's result cannot be sent: serialize: .* over the .* limit profile "default"/ },
};

const VECTORS: Array<[kind: string, size: number]> = [
  ['structuredClone', 10_000_000],
  ['structuredClone-objects', 300_000],
  ['TextEncoder.encode', 200_000_000],
  ['TextEncoder.encodeInto', 200_000_000],
  ['TextDecoder.decode', 40_000_000],
  ['atob', 200_000_000],
  ['btoa', 200_000_000],
  ['URL', 200_000_000],
  ['URL.pathname', 200_000_000],
  ['URL.searchParams', 200_000_000],
  ['URLSearchParams', 200_000_000],
  ...Object.keys(CAPABILITIES).map((kind): [string, number] => [kind, 200_000_000]),
];

describe('a web-standard global handed a huge input ends that call, not the sandbox host', () => {
  const compiler = createCompiler(OPTIONS);
  let sandbox: Sandbox;
  let bombs: CompiledHook;
  let fetcher: CompiledHook;
  let server: LocalServer;
  const held: ServerResponse[] = [];
  before(async () => {
    server = await startServer({ '/hold': (_req, res) => { held.push(res); } });
    sandbox = createSandbox(OPTIONS);
    await sandbox.start();
    bombs = await compileFixture(compiler, 'native-bombs.js');
    fetcher = await compileFixture(compiler, 'fetch.js');
  });
  after(async () => {
    await sandbox.close();
    await compiler.close();
    await server.close();
  });

  for (const [kind, size] of VECTORS) {
    it(`${kind} of ${size} ends that call alone while another call completes`, async () => {
      const { hostPid, hostStarts } = sandbox.stats();
      const grants = { net: { allow: [`127.0.0.1:${server.port}`, '127.0.0.1:1'], maxResponseBytes: 1024 }, emit: { types: ['test.emitted'] }, progress: true,
        apps: { names: ['radarr'], maxResponseBytes: 1024, endpoints: { radarr: { problem: 'not configured in this test' } } } };
      const waiting = sandbox.run(taskFor(fetcher, { hookId: 'waiting', grants, payload: { url: `http://127.0.0.1:${server.port}/hold` }, timeoutMs: 60_000 }));
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const outcome = await sandbox.run(taskFor(bombs, { hookId: 'bombs', grants, payload: { kind, size }, timeoutMs: 60_000 }));
      held.shift()!.end('released');
      const other = await waiting;
      const expected = CAPABILITIES[kind] ?? BOUNDED({ 'structuredClone-objects': 'structuredClone', 'URL.searchParams': 'URLSearchParams.set' }[kind] ?? kind);
      assert.equal(outcome.status, expected.status, JSON.stringify(outcome).slice(0, 500));
      if (expected.message) assert.match(outcome.error?.message ?? '', expected.message);
      if (expected.log) assert.match(outcome.logs[0]?.message ?? '', expected.log);
      assert.equal(other.status, 'ok', JSON.stringify(other.error));
      assert.equal((other.value as { body: string }).body, 'released');
      assert.deepEqual({ hostPid: sandbox.stats().hostPid, hostStarts: sandbox.stats().hostStarts }, { hostPid, hostStarts });
    });
  }
});
