// The host's pools send a hook's compiled record to the workers only until the hook has run in
// that pool: a warm call carries a reference, served from the worker's instance cache, and a
// worker without the instance answers `miss` and gets the task again with the record.
import assert from 'node:assert/strict';
import { deserialize } from 'node:v8';
import { after, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createCompiler, type CompiledHook } from '../../../runtime/index.ts';
import { createPools, type Pools } from '../../../runtime/host/pool.ts';
import type { WireOutcome } from '../../../runtime/protocol.ts';
import { compileFixture, taskFor } from '../harness.ts';

const valueOf = (outcome: WireOutcome) => {
  assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
  return deserialize(outcome.valueBytes!) as { calls: number };
};
/** The hook with its record taken away: only a worker that already has its instance can run it. */
const withoutRecord = (hook: CompiledHook): CompiledHook => ({ hash: hook.hash, filename: hook.filename, record: undefined });

describe('compiled records between the host and its workers', () => {
  const compiler = createCompiler(DEFAULT_SANDBOX_OPTIONS);
  const started: Pools[] = [];
  async function pools(threads: number): Promise<Pools> {
    const p = createPools({ options: { ...DEFAULT_SANDBOX_OPTIONS, minThreads: threads, maxThreads: threads }, onEvent: () => {} });
    started.push(p);
    await p.start();
    return p;
  }
  after(async () => {
    await Promise.all(started.map((p) => p.close()));
    await compiler.close();
  });

  it('runs a warm call from the worker\'s instance, without the record', async () => {
    const p = await pools(1);
    const hook = await compileFixture(compiler, 'counter.js');
    assert.equal(valueOf(await p.run(taskFor(hook))).calls, 1);
    // Had the record been needed, this call could not have run: the same instance answers.
    assert.equal(valueOf(await p.run(taskFor(withoutRecord(hook)))).calls, 2);
  });

  it('gives a worker that lacks the instance the record it asks for', async () => {
    const p = await pools(2);
    const hook = await compileFixture(compiler, 'counter.js');
    assert.equal((await p.run(taskFor(hook))).status, 'ok');
    // Concurrent calls reach the second worker too, which never saw this hook. Each worker's
    // instance counts its own calls, so once two instances ran it the highest count is below the
    // number of calls made. A loaded machine may let one worker take a whole round: go on, bounded.
    let made = 1;
    let highest = 1;
    for (let round = 0; round < 50 && highest === made; round++) {
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => p.run(taskFor(hook))));
      made += outcomes.length;
      highest = Math.max(highest, ...outcomes.map((o) => valueOf(o).calls));
    }
    assert.ok(highest < made, `${made} calls, highest count ${highest}: the second worker never ran the hook`);
  });
});
