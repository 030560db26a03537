// TypeScript hooks: types are erased at compile time, in place, so that runtime and syntax
// errors still name the author's .ts line and column.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { taskFor, useSandbox } from '../harness.ts';

const TS_HOOK = [
  "import type { HookContext, HookEvent } from '../../../types/hookd.ts';", // 1
  'interface Tagged { title: string; tags?: string[] }', // 2
  'type Mode = "upper" | "lower";', // 3
  'export const config = { mode: "filter" } satisfies { mode: string };', // 4
  'function shout<T extends string>(text: T, mode: Mode = "upper"): string {', // 5
  '  return mode === "upper" ? text.toUpperCase() : text.toLowerCase();', // 6
  '}', // 7
  'export default async function (event: HookEvent, ctx: HookContext): Promise<unknown> {', // 8
  '  const payload = event.payload as Tagged;', // 9
  '  ctx.log.info(`title: ${payload!.title}`);', // 10
  '  if (payload.title === "boom") throw new RangeError(`no ${<string>payload.title}`);', // 11
  '  return { patch: { title: shout(payload.title) } };', // 12
  '}', // 13
].join('\n');

describe('TypeScript hooks', () => {
  const runtime = useSandbox();
  const { compiler } = runtime;

  it('compiles a .ts hook with interfaces, generics, casts and type imports, and runs it', async () => {
    const compiled = await compiler.compile(TS_HOOK, 'hooks/shout.ts');
    assert.ok(compiled.ok, compiled.ok ? '' : compiled.error.message);
    const outcome = await runtime.sandbox.run(taskFor(compiled.hook, { payload: { title: 'Akira' } }));
    assert.equal(outcome.status, 'ok', outcome.error?.message);
    assert.deepEqual(outcome.value, { patch: { title: 'AKIRA' } });
    assert.equal(outcome.logs[0]?.message, 'title: Akira');
  });

  it('reports a runtime error at the line and column of the .ts source', async () => {
    const compiled = await compiler.compile(TS_HOOK, 'hooks/shout.ts');
    assert.ok(compiled.ok);
    const outcome = await runtime.sandbox.run(taskFor(compiled.hook, { payload: { title: 'boom' } }));
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.line, 11);
    assert.equal(outcome.error?.column, 39, outcome.error?.stack); // the `new` of `throw new RangeError`
    assert.match(outcome.error?.stack ?? '', /hooks\/shout\.ts:11:39/);
  });

  it('reports a syntax error in a .ts hook at its line and column', async () => {
    const source = 'export default function (event: HookEvent) {\n  const x: number = ;\n}\n';
    const result = await compiler.compile(source, 'hooks/broken.ts');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.line, 2);
    assert.equal(result.error.column, 21);
    assert.match(result.error.message, /hooks\/broken\.ts/);
  });

  it('reports a type error that survives erasure (a bad use of a value) at the .ts position', async () => {
    const source = 'type A = { a: string };\n\nexport default function (e: unknown): A {\n  return { a: 1 } as A\n}\nexport const x = 1 +;\n';
    const result = await compiler.compile(source, 'hooks/late.mts');
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.line, 6);
  });

  const refusals: Array<[string, string, RegExp, number]> = [
    ['an enum', 'export default () => 1;\nenum Kind { A, B }\n', /enum is not erasable/, 2],
    ['a namespace', 'export default () => 1;\n\nnamespace N { export const a = 1; }\n', /namespace is not erasable/, 3],
    ['a parameter property', 'class A {\n  constructor(private x: number) {}\n}\nexport default () => new A(1);\n', /parameter property/, 2],
  ];
  for (const [what, source, message, line] of refusals) {
    it(`refuses ${what} with a located error`, async () => {
      const result = await compiler.compile(source, 'hooks/refused.ts');
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.error.message, message);
      assert.equal(result.error.line, line);
    });
  }

  it('leaves a .js hook alone: TypeScript syntax there is a syntax error', async () => {
    const result = await compiler.compile('export default function (e: unknown) {}\n', 'hooks/plain.js');
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.line, 1);
  });
});
