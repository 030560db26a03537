// A filter chain of module hooks runs in the sandbox host in one crossing: each hook gets the
// previous accepted payload, outputs are judged there against the type's schema (the same
// judge as the daemon's), a failing step does not stop the chain, and a passed deadline skips
// the steps left.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChainTask, CompiledHook } from '../../../runtime/index.ts';
import { useSandbox } from '../harness.ts';

const SCHEMA = { type: 'object', required: ['title'], properties: { title: { type: 'string' } } };
const LIMITS = { maxDepth: 16, maxBytes: 65_536 };

describe('filter chains in the sandbox host', () => {
  const box = useSandbox();
  const compile = async (name: string, source: string): Promise<CompiledHook> => {
    const result = await box.compiler.compile(source, `hooks/${name}.js`);
    if (!result.ok) throw new Error(result.error.message);
    return result.hook;
  };
  const chainOf = async (sources: string[], over: Partial<ChainTask> = {}): Promise<ChainTask> => ({
    event: { id: 'evt-chain', type: 'media.added', occurredAt: new Date().toISOString(), payload: { title: 'dune' } },
    steps: await Promise.all(sources.map(async (source, i) => ({ hookId: `h${i}`, hookName: `step-${i}`, hook: await compile(`step-${i}`, source), grants: {} }))),
    deadline: Date.now() + 30_000,
    limits: LIMITS,
    schema: SCHEMA,
    ...over,
  });

  it('runs five filters in one round trip, each on the previous output', async () => {
    const chain = await chainOf([1, 2, 3, 4, 5].map((i) => `export default (event) => ({ patch: { step${i}: Object.keys(event.payload).length } })`));
    await box.sandbox.runChain(chain); // loads the instances
    const before = box.sandbox.stats().completed;
    const out = await box.sandbox.runChain({ ...chain, deadline: Date.now() + 30_000 });
    assert.equal(box.sandbox.stats().completed - before, 1, 'one answer from the host for the whole chain');
    assert.deepEqual(out.steps.map((s) => s.status), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.deepEqual(out.payload, { title: 'dune', step1: 1, step2: 2, step3: 3, step4: 4, step5: 5 });
    const last = out.steps[4]!;
    assert.ok(last.status !== 'skipped');
    assert.deepEqual(last.outcome.value, { patch: { step5: 5 } }, 'the value is kept as JSON data');
    assert.deepEqual(last.payload, out.payload, 'a step that changed the payload carries it');
  });

  it('discards an output the schema refuses and goes on after a step that throws', async () => {
    const out = await box.sandbox.runChain(await chainOf([
      'export default () => { throw new Error("boom") }',
      'export default () => ({ title: 42 })',
      'export default () => 10n',
      'export default (event) => ({ title: `${event.payload.title}!` })',
    ]));
    assert.deepEqual(out.steps.map((s) => s.status), ['error', 'invalid-output', 'invalid-output', 'ok']);
    const [thrown, refused, bigint] = out.steps.map((s) => (s.status === 'skipped' ? undefined : s.outcome));
    assert.match(thrown!.error!.message, /boom/);
    assert.match(refused!.error!.message, /^output discarded: it does not match the schema of "media.added": \/title must be string/);
    assert.match(bigint!.error!.message, /^output discarded: a BigInt cannot be stored/);
    assert.deepEqual(out.payload, { title: 'dune!' });
  });

  it('skips the steps left once the deadline has passed, payload unchanged', async () => {
    const out = await box.sandbox.runChain(await chainOf(['export default () => ({ title: "x" })', 'export default () => ({ title: "y" })'], { deadline: Date.now() - 1 }));
    assert.deepEqual(out.steps, [{ status: 'skipped' }, { status: 'skipped' }]);
    assert.deepEqual(out.payload, { title: 'dune' });
  });

  it('bounds a step by what is left of the deadline: a hook that never returns times out, the next is skipped', async () => {
    const chain = await chainOf(['export default () => new Promise(() => {})', 'export default () => ({ title: "late" })'], { deadline: Date.now() + 300 });
    const out = await box.sandbox.runChain(chain);
    assert.deepEqual(out.steps.map((s) => s.status), ['timeout', 'skipped']);
    assert.deepEqual(out.payload, { title: 'dune' });
  });

  it('accepts any JSON payload when the type has no schema', async () => {
    const out = await box.sandbox.runChain(await chainOf(['export default () => ({ anything: [1, 2] })'], { schema: undefined }));
    assert.deepEqual(out.payload, { anything: [1, 2] });
  });
});
