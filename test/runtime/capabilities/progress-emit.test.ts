import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createCompiler, createSandbox, type CompiledHook, type HookProgressEvent, type Sandbox, type SandboxEvent } from '../../../runtime/index.ts';
import { createProgressBuffer, MAX_PROGRESS_ITEMS_PER_CALL, MAX_PROGRESS_KEYS_PER_BATCH } from '../../../runtime/capabilities/ctx-progress.ts';
import { compileFixture, taskFor } from '../harness.ts';

const OPTIONS = { ...DEFAULT_SANDBOX_OPTIONS, minThreads: 1, maxThreads: 1 };

describe('ctx.progress and ctx.emit', () => {
  const compiler = createCompiler(OPTIONS);
  const events: SandboxEvent[] = [];
  let sandbox: Sandbox;
  let progress: CompiledHook;
  let emits: CompiledHook;
  before(async () => {
    sandbox = createSandbox({ ...OPTIONS, onEvent: (event) => events.push(event) });
    await sandbox.start();
    progress = await compileFixture(compiler, 'progress.js');
    emits = await compileFixture(compiler, 'emits.js');
  });
  after(async () => {
    await sandbox.close();
    await compiler.close();
  });

  function batchesFor(eventId: string): HookProgressEvent[] {
    return events.filter((e): e is HookProgressEvent => e.type === 'hook.progress' && e.eventId === eventId);
  }

  it('carries a burst of updates in one batch, latest wins per key, before the outcome', async () => {
    const task = taskFor(progress, { hookId: 'p', hookName: 'progress hook', grants: { progress: true }, payload: { updates: 500, keys: 3 } });
    const outcome = await sandbox.run(task);
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    // Read right after run() resolved: every batch of the call is already here.
    const batches = batchesFor(task.event.id);
    assert.equal(batches.length, 1, '1500 updates in one synchronous burst are one message');
    const [batch] = batches;
    assert.ok(batch);
    assert.equal(batch.hookId, 'p');
    assert.equal(batch.hookName, 'progress hook');
    assert.equal(batch.dropped, 0);
    assert.deepEqual(batch.items.map((i) => [i.key, i.pct, i.message]).slice(0, 3), [['k0', 100, 'step 500'], ['k1', 100, 'step 500'], ['k2', 100, 'step 500']]);
    const long = batch.items[3];
    assert.equal(long?.key, 'long');
    assert.ok(Buffer.byteLength(long?.message ?? '') <= 1024, 'a long message is cut to 1 KiB');
    assert.ok(long?.message?.endsWith('…'));
    assert.deepEqual(long?.data, { when: '1970-01-01T00:00:00.000Z' }, 'data travels as JSON');
    assert.match(long?.at ?? '', /^\d{4}-\d\d-\d\dT/);
  });

  it('counts updates past the keys a batch holds as dropped, and never throws for them', async () => {
    const task = taskFor(progress, { grants: { progress: true }, payload: { distinctKeys: 100 } });
    const outcome = await sandbox.run(task);
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    const [batch] = batchesFor(task.event.id);
    assert.equal(batch?.items.length, MAX_PROGRESS_KEYS_PER_BATCH);
    assert.equal(batch?.dropped, 100 + 1 - MAX_PROGRESS_KEYS_PER_BATCH);
  });

  it('refuses malformed updates with a TypeError in the hook', async () => {
    const outcome = await sandbox.run(taskFor(progress, { grants: { progress: true }, payload: { bad: true } }));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    const results = outcome.value as string[];
    assert.equal(results.length, 7);
    for (const result of results) assert.match(result, /^TypeError: ctx\.progress: /);
    assert.match(results[1] ?? '', /pct must be a number from 0 to 100, got 150/);
    assert.match(results[5] ?? '', /over 4096 bytes/);
  });

  it('has no ctx.progress or ctx.emit without their grants', async () => {
    const task = taskFor(progress, { payload: {} });
    const outcome = await sandbox.run(task);
    assert.equal(outcome.status, 'error');
    assert.match(outcome.error?.message ?? '', /ctx\.progress is not a function/);
    assert.deepEqual((await sandbox.run(taskFor(emits))).value, { emit: 'undefined' });
    assert.deepEqual(batchesFor(task.event.id), []);
  });

  it('returns emitted events with the outcome, as JSON copied at emit time', async () => {
    const outcome = await sandbox.run(taskFor(emits, { grants: { emit: { types: ['media.matched'] } }, payload: { count: 2, payload: { title: 'Alien' } } }));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    assert.deepEqual(outcome.emitted, [
      { type: 'media.matched', payload: { title: 'Alien', n: 0, at: '1970-01-01T00:00:00.000Z' } },
      { type: 'media.matched', payload: { title: 'Alien', n: 1, at: '1970-01-01T00:00:00.000Z' } },
    ]);
    assert.equal(outcome.denials, undefined);
  });

  it('refuses a type outside the grant with a clear error, and records the denial', async () => {
    const outcome = await sandbox.run(taskFor(emits, { grants: { emit: { types: ['media.matched', 'media.tagged'] } }, payload: { type: 'user.deleted' } }));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    assert.deepEqual(outcome.value, ['PermissionDeniedError: emit of "user.deleted" not allowed: this hook may emit "media.matched", "media.tagged"']);
    assert.equal(outcome.emitted, undefined);
    assert.equal(outcome.denials?.length, 1);
    assert.deepEqual({ ...outcome.denials?.[0], at: 'x' }, {
      capability: 'emit',
      target: 'user.deleted',
      message: 'emit of "user.deleted" not allowed: this hook may emit "media.matched", "media.tagged"',
      at: 'x',
    });
  });

  it('caps emits per call and refuses payloads that are not JSON', async () => {
    const grants = { emit: { types: ['a.b'] } };
    const many = await sandbox.run(taskFor(emits, { grants, payload: { type: 'a.b', count: 101 } }));
    assert.equal(many.emitted?.length, 100);
    assert.equal((many.value as string[])[100], 'RangeError: ctx.emit: at most 100 events per call');
    const big = await sandbox.run(taskFor(emits, { grants, payload: { type: 'a.b', payload: { s: 'x'.repeat(70_000) } } }));
    assert.match((big.value as string[])[0] ?? '', /^RangeError: .*over 65536 bytes/);
  });

  it('keeps the emits of a call that throws, and loses those of a call that times out', async () => {
    const grants = { emit: { types: ['a.b'] } };
    const thrown = await sandbox.run(taskFor(emits, { grants, payload: { type: 'a.b', end: 'throw' } }));
    assert.equal(thrown.status, 'error');
    assert.equal(thrown.emitted?.length, 1);
    const stuck = await sandbox.run(taskFor(emits, { grants, payload: { type: 'a.b', end: 'loop' }, timeoutMs: 300 }));
    assert.equal(stuck.status, 'timeout');
    assert.equal(stuck.emitted, undefined);
  });
});

describe('createProgressBuffer', () => {
  it('sends at most MAX_PROGRESS_ITEMS_PER_CALL items per call and counts the rest as dropped', () => {
    const sent: Array<{ items: number; dropped: number }> = [];
    const buffer = createProgressBuffer((items, dropped) => sent.push({ items: items.length, dropped }));
    for (let batch = 0; batch < 40; batch += 1) {
      for (let k = 0; k < 30; k += 1) buffer.add({ key: `b${batch}k${k}`, pct: 1, at: 'now' });
      buffer.close(); // what the timer or the end of the call does
    }
    const items = sent.reduce((sum, s) => sum + s.items, 0);
    const dropped = sent.reduce((sum, s) => sum + s.dropped, 0);
    assert.equal(items, MAX_PROGRESS_ITEMS_PER_CALL);
    assert.equal(dropped, 40 * 30 - MAX_PROGRESS_ITEMS_PER_CALL);
  });

  it('sends nothing when nothing happened', () => {
    let calls = 0;
    createProgressBuffer(() => { calls += 1; }).close();
    assert.equal(calls, 0);
  });
});
