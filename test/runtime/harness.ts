// Test harness for runtime suites: compile a fixture from test/fixtures/hooks and build a task.
import { readFileSync } from 'node:fs';
import type { CompiledHook, Compiler, HookTask } from '../../runtime/index.ts';

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
