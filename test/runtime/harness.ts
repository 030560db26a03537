// Test harness for runtime suites: compile a fixture from test/fixtures/hooks, build a task,
// and a sandbox per describe block.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../helpers/sandbox-options.ts';
import { createCompiler, createSandbox, type CompiledHook, type Compiler, type HookTask, type Sandbox, type SandboxOptions } from '../../runtime/index.ts';

const FIXTURES = new URL('../fixtures/hooks/', import.meta.url);

export function readFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export async function compileFixture(compiler: Compiler, name: string): Promise<CompiledHook> {
  const result = await compiler.compile(readFixture(name), `hooks/${name}`);
  if (!result.ok) throw new Error(`fixture ${name} did not compile: ${result.error.message}`);
  return result.hook;
}

let nextEvent = 1;

/** A task for `hook`, with a fresh event carrying `payload`. */
export function taskFor(hook: CompiledHook, over: Partial<HookTask> & { payload?: unknown } = {}): HookTask {
  const { payload = {}, ...rest } = over;
  const id = `evt-${nextEvent++}`;
  return {
    hookId: hook.filename,
    hookName: hook.filename,
    hook,
    event: { id, type: 'test.event', occurredAt: new Date().toISOString(), payload },
    ...rest,
  };
}

/** After a call that went wrong: the next one (on the same single worker, or its replacement) runs normally. */
export async function assertNextCallWorks(sandbox: Sandbox, echo: CompiledHook): Promise<void> {
  const next = await sandbox.run(taskFor(echo, { payload: { after: true } }));
  assert.equal(next.status, 'ok', JSON.stringify(next.error));
  assert.deepEqual((next.value as { payload: unknown }).payload, { after: true });
}

/**
 * A compiler and a one-thread sandbox for the enclosing describe block: started before its
 * tests, closed after them. Read `sandbox` inside tests (it exists once `before` ran).
 */
export function useSandbox(options: Partial<SandboxOptions> = {}): { compiler: Compiler; readonly sandbox: Sandbox } {
  const compiler = createCompiler(DEFAULT_SANDBOX_OPTIONS);
  let sandbox: Sandbox | undefined;
  before(async () => {
    sandbox = createSandbox({ ...DEFAULT_SANDBOX_OPTIONS, ...options, minThreads: 1, maxThreads: 1 });
    await sandbox.start();
  });
  after(async () => {
    await sandbox?.close();
    await compiler.close();
  });
  return {
    compiler,
    get sandbox() {
      if (!sandbox) throw new Error('useSandbox(): the sandbox starts in before()');
      return sandbox;
    },
  };
}
