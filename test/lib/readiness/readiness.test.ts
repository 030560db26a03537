// createReadiness: the verdict of named checks, each bounded by a timeout, reused for a short
// while (and only while its cache key holds); never a rejection, whatever a check does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReadiness, type ReadinessCheck } from '../../../lib/readiness/index.ts';

const ok: ReadinessCheck = async () => {};
const failing = (message: string): ReadinessCheck => async () => {
  throw new Error(message);
};

function readiness(checks: Record<string, ReadinessCheck>, options: { stopping?: boolean; key?: () => unknown; now?: () => number } = {}) {
  return createReadiness({
    checks,
    timeoutMs: 100,
    cacheMs: 1_000,
    cacheKey: options.key ?? (() => 1),
    isStopping: () => options.stopping ?? false,
    now: options.now,
  });
}

describe('readiness', () => {
  it('is ready with every check ok, named in order', async () => {
    assert.deepEqual(await readiness({ database: ok, migrations: ok, sandbox: ok }).report(), {
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', sandbox: 'ok' },
    });
  });

  const failures: Array<[string, ReadinessCheck, RegExp]> = [
    ['rejects with an Error', failing('database is full'), /^database is full$/],
    ['throws synchronously', () => { throw new Error('sync failure'); }, /^sync failure$/],
    ['rejects with a string', () => Promise.reject('just text'), /^just text$/],
    ['rejects with nothing useful', () => Promise.reject({ weird: true }), /^b failed$/],
    ['rejects with an empty message', failing('  '), /^b failed$/],
    ['never settles', () => new Promise(() => {}), /^b did not answer within 100 ms$/],
    ['has an overlong reason', failing('x'.repeat(10_000)), /^x{499}…$/],
  ];
  for (const [what, check, reason] of failures) {
    it(`is not ready, with a reason, when a check ${what}`, async () => {
      const report = await readiness({ a: ok, b: check }).report();
      assert.equal(report.status, 'not-ready');
      assert.match((report as { reason: string }).reason, reason);
      assert.equal(report.checks.a, 'ok');
      assert.match(report.checks.b!, reason);
    });
  }

  it('gives the first failing check\'s reason, in the order the checks are named', async () => {
    const report = await readiness({ database: failing('database cannot be written'), migrations: ok, sandbox: failing('sandbox host is starting') }).report();
    assert.deepEqual(report, {
      status: 'not-ready',
      reason: 'database cannot be written',
      checks: { database: 'database cannot be written', migrations: 'ok', sandbox: 'sandbox host is starting' },
    });
  });

  it('answers stopping without running the checks', async () => {
    let ran = 0;
    const report = await readiness({ a: async () => void ran++ }, { stopping: true }).report();
    assert.equal(report.status, 'stopping');
    assert.equal(ran, 0);
  });

  it('runs one round for concurrent probes and reuses it within cacheMs', async () => {
    let ran = 0;
    let time = 0;
    const r = readiness({ a: async () => void ran++ }, { now: () => time });
    await Promise.all(Array.from({ length: 50 }, () => r.report()));
    assert.equal(ran, 1, 'concurrent probes share one round');
    time = 999;
    await r.report();
    assert.equal(ran, 1, 'reused within cacheMs');
    time = 1_001;
    await r.report();
    assert.equal(ran, 2, 'checked again after cacheMs');
  });

  it('checks again at once when the cache key changes (a sandbox host that exited)', async () => {
    let ran = 0;
    let key: unknown = 101;
    const r = readiness({ a: async () => void ran++ }, { key: () => key, now: () => 0 });
    await r.report();
    key = undefined;
    await r.report();
    assert.equal(ran, 2);
    await r.report();
    assert.equal(ran, 2, 'the new key\'s report is reused');
  });
});
