import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createCompiler, createSandbox, type Sandbox, type SandboxEvent } from '../../../runtime/index.ts';
import { compileFixture, readFixture, taskFor } from '../harness.ts';

describe('the sandbox serves many hooks, keeps them apart, and survives its host dying', () => {
  const compiler = createCompiler(DEFAULT_SANDBOX_OPTIONS);
  const events: SandboxEvent[] = [];
  let sandbox: Sandbox;
  before(async () => {
    sandbox = createSandbox({ ...DEFAULT_SANDBOX_OPTIONS, minThreads: 2, maxThreads: 2, onEvent: (e) => events.push(e) });
    await sandbox.start();
  });
  after(async () => {
    await sandbox.close();
    await compiler.close();
  });

  it('keeps a warm module instance per hook, and one hook never sees another\'s state', async () => {
    const hook = await compileFixture(compiler, 'counter.js');
    // One worker's worth of calls per hook id is not guaranteed with two threads, so run
    // sequentially on a one-thread sandbox to pin the instance.
    const single = createSandbox({ ...DEFAULT_SANDBOX_OPTIONS, minThreads: 1, maxThreads: 1 });
    try {
      const a1 = await single.run(taskFor(hook, { hookId: 'a' }));
      const a2 = await single.run(taskFor(hook, { hookId: 'a' }));
      const b1 = await single.run(taskFor(hook, { hookId: 'b' }));
      assert.deepEqual(a1.value, { calls: 1, seenBy: ['a'] });
      assert.deepEqual(a2.value, { calls: 2, seenBy: ['a', 'a'] }, 'a warm call does not evaluate the module again');
      assert.deepEqual(b1.value, { calls: 1, seenBy: ['b'] });
      const edited = await compiler.compile(`${readFixture('counter.js')}\n// edited\n`, 'hooks/counter.js');
      assert.ok(edited.ok);
      const a3 = await single.run(taskFor(edited.hook, { hookId: 'a' }));
      assert.deepEqual(a3.value, { calls: 1, seenBy: ['a'] }, 'a new version starts from fresh module state');
    } finally {
      await single.close();
    }
  });

  it('under load, one call timing out does not fail any other', async () => {
    const slow = await compileFixture(compiler, 'slow.js');
    const loop = await compileFixture(compiler, 'busy-loop.js');
    const calls = Array.from({ length: 60 }, (_, i) => sandbox.run(taskFor(slow, { hookId: `load-${i % 5}`, timeoutMs: 30_000 })));
    const stuck = sandbox.run(taskFor(loop, { timeoutMs: 300 }));
    const outcomes = await Promise.all(calls);
    assert.equal((await stuck).status, 'timeout');
    for (const outcome of outcomes) assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    assert.deepEqual(new Set(outcomes.map((o) => (o.value as { sum: number }).sum)), new Set([499500]));
  });

  it('gives a hook more memory through a larger limit profile only', async () => {
    const hook = await compileFixture(compiler, 'heap-96mb.js');
    const small = await sandbox.run(taskFor(hook, { timeoutMs: 30_000 }));
    assert.equal(small.status, 'oom');
    const large = await sandbox.run(taskFor(hook, { limits: 'large', timeoutMs: 30_000 }));
    assert.equal(large.status, 'ok', JSON.stringify(large.error));
    assert.equal(large.value, 2_000_000);
  });

  it('reports calls in flight as crashed when the host dies, then restarts it', async () => {
    const loop = await compileFixture(compiler, 'busy-loop.js');
    const echo = await compileFixture(compiler, 'echo.js');
    const warm = await sandbox.run(taskFor(echo)); // the old host has echo's record
    assert.equal(warm.status, 'ok', JSON.stringify(warm.error));
    const before = sandbox.stats();
    assert.ok(before.hostPid);
    const inFlight = sandbox.run(taskFor(loop, { timeoutMs: 30_000 }));
    while (sandbox.stats().inFlight === 0) await new Promise((resolve) => setImmediate(resolve));
    process.kill(before.hostPid, 'SIGKILL');
    const outcome = await inFlight;
    assert.equal(outcome.status, 'crashed');
    // The new host never saw echo's record: the daemon must send it again.
    const next = await sandbox.run(taskFor(echo, { payload: { again: true } }));
    assert.equal(next.status, 'ok', JSON.stringify(next.error));
    const afterStats = sandbox.stats();
    assert.equal(afterStats.hostStarts, before.hostStarts + 1);
    assert.notEqual(afterStats.hostPid, before.hostPid);
    assert.ok(events.some((e) => e.type === 'host.exit' && e.pid === before.hostPid && e.signal === 'SIGKILL'));
  });

  it('answers every call after close with an outcome, never a rejection', async () => {
    const echo = await compileFixture(compiler, 'echo.js');
    const closed = createSandbox({ ...DEFAULT_SANDBOX_OPTIONS, minThreads: 0 });
    await closed.start();
    await closed.close();
    const outcome = await closed.run(taskFor(echo));
    assert.equal(outcome.status, 'crashed');
    assert.match(outcome.error?.message ?? '', /closed/);
  });
});
