// createProgress as GET /progress sees it: the latest store takes updates in the order they were
// published, whatever order the coalescer lets them out in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBus } from '../../../lib/bus.ts';
import { loadConfig } from '../../../lib/config/index.ts';
import { createProgress } from '../../../lib/progress/index.ts';

describe('progress: what GET /progress keeps', () => {
  test('past progress.maxLatestSize the most recently published values are kept, also when the coalescer held older ones back', () => {
    const config = loadConfig({ env: {} }).progress;
    // Room for about 9 values of ~100 bytes, held or kept; a window long enough that no tick runs.
    const progress = createProgress({ bus: createBus(), config: { ...config, coalesceWindowMs: 60_000, maxLatestBytes: 1000 }, maxDepth: 32 });
    const round = () => {
      for (let i = 0; i < 30; i++) assert.equal(progress.publish({ type: 'scan.progress', payload: { key: `k${i}`, blob: 'x'.repeat(80) } }).ok, true);
    };
    round();
    // The second round's keys are tracked: the first few are held back (within the byte bound),
    // the rest go out at once; stop() then sends the held ones, after the newer ones.
    round();
    const held = progress.stats().pending;
    progress.stop();
    assert.ok(held > 0, 'the coalescer held some of the second round back');
    const keys = progress.latest().map((e) => e.key);
    assert.ok(keys.length > 0 && keys.length < 30, `kept ${keys.length}`);
    assert.deepEqual(keys, Array.from({ length: keys.length }, (_, i) => `k${30 - keys.length + i}`), 'the newest keys, oldest first');
  });
});
