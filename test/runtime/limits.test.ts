import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../helpers/sandbox-options.ts';
import { createCompiler, createSandbox, keepResultAsJson, type CompiledHook, type Sandbox } from '../../runtime/index.ts';
import { assertNextCallWorks, compileFixture, taskFor } from './harness.ts';

// One worker only: "the next call succeeds" then really runs where the bad call ran.
const OPTIONS = { ...DEFAULT_SANDBOX_OPTIONS, minThreads: 1, maxThreads: 1 };
const SHORT = 400;

describe('a misbehaving hook ends in one typed outcome and the pool keeps serving', () => {
  const compiler = createCompiler(OPTIONS);
  let sandbox: Sandbox;
  let echo: CompiledHook;
  before(async () => {
    sandbox = createSandbox(OPTIONS);
    await sandbox.start();
    echo = await compileFixture(compiler, 'echo.js');
  });
  after(async () => {
    await sandbox.close();
    await compiler.close();
  });

  it('while (true) {} times out, and the next call succeeds', async () => {
    const outcome = await sandbox.run(taskFor(await compileFixture(compiler, 'busy-loop.js'), { timeoutMs: SHORT }));
    assert.equal(outcome.status, 'timeout');
    assert.match(outcome.error?.message ?? '', new RegExp(`within ${SHORT} ms`));
    await assertNextCallWorks(sandbox, echo);
  });

  it('for (;;) await null times out, and the next call succeeds', async () => {
    const outcome = await sandbox.run(taskFor(await compileFixture(compiler, 'await-loop.js'), { timeoutMs: SHORT }));
    assert.equal(outcome.status, 'timeout');
    await assertNextCallWorks(sandbox, echo);
  });

  it('a heap bomb is oom, and the next call succeeds', async () => {
    const outcome = await sandbox.run(taskFor(await compileFixture(compiler, 'heap-bomb.js'), { timeoutMs: 20_000 }));
    assert.equal(outcome.status, 'oom');
    await assertNextCallWorks(sandbox, echo);
  });

  it('runaway recursion is an error with the hook\'s frames', async () => {
    const outcome = await sandbox.run(taskFor(await compileFixture(compiler, 'recursion.js')));
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.name, 'RangeError');
    assert.match(outcome.error?.stack ?? '', /at down \(hooks\/recursion\.js:2:\d+\)/);
    await assertNextCallWorks(sandbox, echo);
  });

  it('a huge result is invalid-result and never leaves the worker', async () => {
    const outcome = await sandbox.run(taskFor(await compileFixture(compiler, 'huge-result.js')));
    assert.equal(outcome.status, 'invalid-result');
    assert.equal(outcome.value, undefined);
    assert.match(outcome.error?.message ?? '', /over the 1048576-byte limit/);
    await assertNextCallWorks(sandbox, echo);
  });

  const attacks: Array<[string, 'invalid-result' | 'error' | 'timeout']> = [
    ['function', 'invalid-result'],
    ['symbol', 'invalid-result'],
    ['throwing-getter', 'invalid-result'],
    ['throwing-getter-value', 'invalid-result'],
    ['proxy', 'invalid-result'],
    ['deep', 'invalid-result'],
    ['throw-function', 'error'],
    ['throw-symbol', 'error'],
    ['throw-proxy', 'error'],
    ['throw-hostile-error', 'error'],
    // The loop the getter queued runs inside this call, not in whichever call comes next.
    ['getter-queues-loop', 'timeout'],
  ];
  for (const [kind, status] of attacks) {
    it(`a result transport attack (${kind}) is ${status}, and the next call succeeds`, async () => {
      const hook = await compileFixture(compiler, 'result-attacks.js');
      // Only the attacks that should time out get the short deadline: the others are judged on
      // their result, and under a loaded machine's scheduling 400 ms was sometimes past (timeout).
      const outcome = await sandbox.run(taskFor(hook, { payload: { kind }, timeoutMs: status === 'timeout' ? SHORT : 5_000 }));
      // As every consumer records it (dispatch, the filter chain, dry runs): a result the worker
      // sent, copied down to one level past the largest events.maxDepth, is then kept as JSON or refused.
      const recorded = keepResultAsJson(outcome, outcome.status, { maxDepth: 1000, maxBytes: 1024 * 1024 });
      assert.equal(recorded, status, JSON.stringify(outcome.error));
      assert.equal(typeof outcome.error?.message, 'string');
      await assertNextCallWorks(sandbox, echo);
    });
  }

  it('a module whose default export is not a function is an error', async () => {
    const outcome = await sandbox.run(taskFor(await compileFixture(compiler, 'not-a-function.js')));
    assert.equal(outcome.status, 'error');
    assert.match(outcome.error?.message ?? '', /default export of a hook must be a function/);
  });

  it('ctx.signal aborts at the deadline, so a cooperative hook stops in time', async () => {
    const outcome = await sandbox.run(taskFor(await compileFixture(compiler, 'cooperative.js'), { timeoutMs: SHORT }));
    assert.equal(outcome.status, 'timeout');
    await assertNextCallWorks(sandbox, echo);
  });

  it('an unknown limit profile is an error, not a crash', async () => {
    const outcome = await sandbox.run(taskFor(echo, { limits: 'gigantic' }));
    assert.equal(outcome.status, 'error');
    assert.match(outcome.error?.message ?? '', /unknown limit profile "gigantic"/);
  });
});
