// repeatAfter: the next run is timed from the end of the last (runs never overlap), a failed run
// is reported and the next still comes, and nothing runs after stop().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repeatAfter } from '../../lib/repeat.ts';

/** Resolves on the next macrotask: a run's promise chain has settled by then. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('each run starts a full interval after the previous one ended, a failure is reported, stop ends it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const starts: number[] = [];
  const errors: unknown[] = [];
  let release: (() => void) | undefined;
  let now = 0;
  const repeat = repeatAfter(
    100,
    () => {
      starts.push(now);
      if (starts.length === 2) return Promise.reject(new Error('second run fails'));
      return new Promise<void>((resolve) => (release = resolve));
    },
    (err) => errors.push(err),
  );
  const advance = async (ms: number) => {
    now += ms;
    t.mock.timers.tick(ms);
    await settle();
  };

  await advance(99);
  assert.deepEqual(starts, [], 'nothing before the first interval');
  await advance(1);
  assert.deepEqual(starts, [100]);
  await advance(500);
  assert.deepEqual(starts, [100], 'no second run while the first has not ended');
  release!();
  await settle();
  await advance(100);
  assert.deepEqual(starts, [100, 700], 'the next run an interval after the first ended');
  assert.equal((errors[0] as Error).message, 'second run fails');
  await advance(100);
  assert.deepEqual(starts, [100, 700, 800], 'a failed run does not end the repeat');
  repeat.stop();
  release!();
  await settle();
  await advance(1000);
  assert.deepEqual(starts, [100, 700, 800], 'nothing runs after stop, even once the running one ends');
});
