import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../helpers/sandbox-options.ts';
import { createCompiler, createSandbox, type Sandbox } from '../../runtime/index.ts';
import { compileFixture, taskFor } from './harness.ts';

const BUDGET_MB = 512;

function peakRssKb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, 'VmHWM in /proc/<pid>/status');
  return Number(match[1]);
}

describe('the sandbox host bounds all hook memory, ArrayBuffers included', () => {
  const compiler = createCompiler(DEFAULT_SANDBOX_OPTIONS);
  let sandbox: Sandbox;
  before(async () => {
    sandbox = createSandbox({ ...DEFAULT_SANDBOX_OPTIONS, memoryBudgetMb: BUDGET_MB, minThreads: 2, maxThreads: 2 });
    await sandbox.start();
  });
  after(async () => {
    await sandbox.close();
    await compiler.close();
  });

  it('runs the host under an RLIMIT_DATA of the budget', () => {
    const pid = sandbox.stats().hostPid;
    assert.ok(pid);
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const line = limits.split('\n').find((l) => l.startsWith('Max data size'));
    assert.match(line ?? '', new RegExp(`\\s${BUDGET_MB * 1024 * 1024}\\s`));
  });

  it('fails calls that allocate ArrayBuffers past the budget, and the host stays within it', async () => {
    const hook = await compileFixture(compiler, 'array-buffers.js');
    const pid = sandbox.stats().hostPid;
    assert.ok(pid);
    // Sampled while the calls run: if an allocation outside the hook fails first, V8 aborts the
    // host (the daemon then restarts it and reports `crashed`), and its /proc entry is gone.
    let peakKb = 0;
    const sampler = setInterval(() => {
      try {
        peakKb = Math.max(peakKb, peakRssKb(pid));
      } catch {
        // the host is gone
      }
    }, 20);
    // Two hooks at once, each asking for 2 GiB of committed ArrayBuffers.
    const outcomes = await Promise.all(['ab-1', 'ab-2'].map((hookId) =>
      sandbox.run(taskFor(hook, { hookId, payload: { maxChunks: 64 }, timeoutMs: 30_000 }))));
    clearInterval(sampler);
    try {
      peakKb = Math.max(peakKb, peakRssKb(pid));
    } catch {
      // the host is gone
    }
    for (const outcome of outcomes) {
      // Usually the allocation fails inside the hook (oom); rarely V8 itself runs out first and
      // the host dies (crashed). Either way the call fails and nothing grows past the budget.
      assert.ok(outcome.status === 'oom' || outcome.status === 'crashed', JSON.stringify(outcome));
      if (outcome.status === 'oom') assert.match(outcome.error?.message ?? '', /Array buffer allocation failed/);
    }
    assert.ok(peakKb > 0, 'the host was sampled');
    assert.ok(peakKb / 1024 < BUDGET_MB, `peak RSS ${(peakKb / 1024).toFixed(0)} MB within the ${BUDGET_MB} MB budget`);
    const next = await sandbox.run(taskFor(hook, { payload: { maxChunks: 1 } }));
    assert.equal(next.status, 'ok', JSON.stringify(next.error));
    assert.equal(next.value, 1);
    // Calls that ended oom leave no memory behind: their workers' replacements start only once
    // it is freed. Were they started beside it, the host could die between the calls (the next
    // call then runs in a restarted host and passes) or during the next one.
    if (outcomes.every((o) => o.status === 'oom')) assert.equal(sandbox.stats().hostPid, pid, 'the host survived the oom calls');
  });
});
