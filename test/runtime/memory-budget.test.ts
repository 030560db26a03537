import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createCompiler, createSandbox, DEFAULT_SANDBOX_OPTIONS, type Sandbox } from '../../runtime/index.ts';
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
    // Two hooks at once, each asking for 2 GiB of committed ArrayBuffers.
    const outcomes = await Promise.all(['ab-1', 'ab-2'].map((hookId) =>
      sandbox.run(taskFor(hook, { hookId, payload: { maxChunks: 64 }, timeoutMs: 30_000 }))));
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'oom', JSON.stringify(outcome.error));
      assert.match(outcome.error?.message ?? '', /Array buffer allocation failed/);
    }
    assert.equal(sandbox.stats().hostPid, pid, 'the host survived');
    const peakMb = peakRssKb(pid) / 1024;
    assert.ok(peakMb < BUDGET_MB, `peak RSS ${peakMb.toFixed(0)} MB within the ${BUDGET_MB} MB budget`);
    const next = await sandbox.run(taskFor(hook, { payload: { maxChunks: 1 } }));
    assert.equal(next.status, 'ok', JSON.stringify(next.error));
    assert.equal(next.value, 1);
  });
});
