// A limit profile holds for ArrayBuffers too: V8's resourceLimits do not count them, so a
// hook's worker is checked at the end of each call and at each capability call. Tried as a
// hook would abuse it: many buffers at once, buffers kept across calls, a capability call
// after allocating whose error is caught.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { type CompiledHook } from '../../../runtime/index.ts';
import { assertNextCallWorks, compileFixture, taskFor, useSandbox } from '../harness.ts';

const OPTIONS = {
  profiles: {
    ...DEFAULT_SANDBOX_OPTIONS.profiles,
    roomy: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4, maxExternalMb: 512 },
  },
};
const OVER = /the hook holds \d+ MiB of ArrayBuffers and other memory outside its heap, over the 64 MiB of its limit profile "default" \(runtime\.profiles\.default\.external\)/;

describe('a limit profile bounds a hook\'s ArrayBuffers', () => {
  // One worker: "the next call" runs where the bad one ran, in its replacement.
  const runtime = useSandbox(OPTIONS);
  const { compiler } = runtime;
  let arrayBuffers: CompiledHook;
  let echo: CompiledHook;
  before(async () => {
    arrayBuffers = await compileFixture(compiler, 'array-buffers.js');
    echo = await compileFixture(compiler, 'echo.js');
  });

  it('a 64 MiB-profile hook committing 384 MiB of ArrayBuffers is oom, its result discarded, and the next call is fine', async () => {
    const outcome = await runtime.sandbox.run(taskFor(arrayBuffers, { payload: { maxChunks: 12 }, timeoutMs: 30_000 }));
    assert.equal(outcome.status, 'oom', JSON.stringify(outcome));
    assert.equal(outcome.error?.name, 'OutOfMemoryError');
    assert.match(outcome.error?.message ?? '', OVER);
    assert.equal(outcome.value, undefined);
    await assertNextCallWorks(runtime.sandbox, echo);
  });

  it('a hook under its bound keeps its result', async () => {
    const outcome = await runtime.sandbox.run(taskFor(arrayBuffers, { payload: { maxChunks: 1 } }));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    assert.equal(outcome.value, 1);
  });

  it('a profile with a larger "external" bound lets the same hook through', async () => {
    const outcome = await runtime.sandbox.run(taskFor(arrayBuffers, { payload: { maxChunks: 12 }, limits: 'roomy', timeoutMs: 30_000 }));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    assert.equal(outcome.value, 12);
  });

  it('buffers kept across calls by a module-level variable are counted, and go with the replaced worker', async () => {
    const keeper = await compileFixture(compiler, 'keeps-buffers.js');
    const first = await runtime.sandbox.run(taskFor(keeper, { payload: { mib: 40 } }));
    assert.equal(first.status, 'ok', JSON.stringify(first.error));
    assert.equal(first.value, 1);
    const second = await runtime.sandbox.run(taskFor(keeper, { payload: { mib: 40 } }));
    assert.equal(second.status, 'oom', JSON.stringify(second));
    assert.match(second.error?.message ?? '', OVER);
    // A fresh worker: the module state (and its 80 MiB) is gone, the count starts over.
    const third = await runtime.sandbox.run(taskFor(keeper, { payload: { mib: 40 } }));
    assert.equal(third.status, 'ok', JSON.stringify(third.error));
    assert.equal(third.value, 1);
  });

  const uses: Array<[string, string, object]> = [
    ['log', 'ctx.log', {}],
    ['console', 'console.log', {}],
    ['progress', 'ctx.progress', { progress: true }],
    ['emit', 'ctx.emit', { emit: { types: ['media.updated'] } }],
  ];
  for (const [via, name, grants] of uses) {
    it(`a hook that allocates past its bound and then calls ${name} is stopped at that call, even if it catches`, async () => {
      const hook = await compileFixture(compiler, 'buffers-then-capability.js');
      const outcome = await runtime.sandbox.run(taskFor(hook, { payload: { chunks: 3, via }, grants, timeoutMs: 30_000 }));
      assert.equal(outcome.status, 'oom', JSON.stringify(outcome));
      assert.match(outcome.error?.message ?? '', new RegExp(`^stopped at ${name.replace('.', '\\.')}: ${OVER.source}`));
      assert.equal(outcome.value, undefined, 'what it returned is discarded');
      assert.equal(outcome.emitted, undefined, 'an oom call raises no events');
      assert.ok(!outcome.logs.some((l) => l.message.includes('after allocating')), 'the capability did nothing');
      await assertNextCallWorks(runtime.sandbox, echo);
    });
  }
});
