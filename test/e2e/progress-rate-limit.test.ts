// progress.rateLimit: a producer posting progress faster than allowed gets 429 with
// Retry-After (per item in the batch that crossed the line, then for whole requests until
// Retry-After has passed, before their bodies are read); other producers are unaffected.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

const WARM_TOKEN = 'test-warm-up-token-0123456789';

let d: TestDaemon;
before(async () => {
  const tokens = [
    { name: 'test-admin', token: ADMIN_TOKEN, scopes: ['admin'] },
    { name: 'test-producer', token: EVENTS_TOKEN, scopes: ['events'] },
    { name: 'test-warm-up', token: WARM_TOKEN, scopes: ['events'] },
  ];
  d = await startTestDaemon({ config: { progress: { rateLimit: 50 }, hooks: { watch: false }, auth: { tokens } } });
  // The first two tests must each send their next request within the 1 s a refusal lasts: a
  // third producer first takes every path they take once (schemas compiled on first use, here
  // and in the daemon), so on a loaded machine that second is spent on the requests alone.
  await d.call('POST', '/events', batch(51), { token: WARM_TOKEN });
  await d.call('POST', '/events', { type: 'job.progress', payload: { pct: 1 } }, { token: WARM_TOKEN });
});
after(() => d.close());

const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'job.progress', payload: { key: 'k', pct: i % 100 } }));

// A refused producer stays refused for one second (lib/progress/rate-limit.ts). On a loaded
// machine the requests after the refusal can arrive later than that, when accepting them is
// right: such a round proves nothing, so it is run again after the bucket has refilled.
const BLOCK_MS = 1000;
const MAX_ROUNDS = 5;

/** Runs `round` (its requests) and then the checks it returns on what they were answered. */
async function whileRefused(round: () => Promise<() => void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    const check = await round();
    if (Date.now() - started < BLOCK_MS || attempt === MAX_ROUNDS) return check();
    await new Promise((r) => setTimeout(r, BLOCK_MS + 100));
  }
}

test('a producer over the rate gets 429 per item, then for single posts with Retry-After', async () => {
  await whileRefused(async () => {
    const r = await d.call('POST', '/events', batch(80), { token: EVENTS_TOKEN });
    const single = await d.call('POST', '/events', { type: 'job.progress', payload: { pct: 1 } }, { token: EVENTS_TOKEN });
    return () => {
      assert.equal(r.status, 207);
      const statuses = r.body.results.map((x: { status: number }) => x.status);
      assert.equal(statuses.filter((s: number) => s === 202).length, 50, 'one second of burst is accepted');
      assert.equal(statuses.filter((s: number) => s === 429).length, 30);
      assert.equal(r.body.results.at(-1).code, 'RATE_LIMITED');
      assert.equal(single.status, 429);
      assert.match(single.body.error.message, /progress\.rateLimit/);
      assert.ok(Number(single.headers.get('retry-after')) >= 1);
    };
  });
});

test("while refused, a producer's requests are answered 429 before their bodies are looked at", async () => {
  await whileRefused(async () => {
    const burst = await d.call('POST', '/events', batch(80), { token: EVENTS_TOKEN });
    const bad = Array.from({ length: 100 }, () => ({ type: 'download.progress', payload: { pct: 'not a number' } }));
    const r = await d.call('POST', '/events', bad, { token: EVENTS_TOKEN });
    const business = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'x' } }, { token: EVENTS_TOKEN });
    return () => {
      const crossed = burst.status === 429 || burst.body.results.some((x: { status: number }) => x.status === 429);
      assert.ok(crossed, 'the burst crossed the rate');
      assert.equal(r.status, 429, 'refused whole, not schema-checked item by item');
      assert.equal(business.status, 429, 'the throttled producer waits out its Retry-After');
    };
  });
});

test('other producers are not limited', async () => {
  const other = await d.call('POST', '/events', batch(10), { token: ADMIN_TOKEN });
  assert.ok(other.body.results.every((x: { status: number }) => x.status === 202));
  const business = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'x' } }, { token: ADMIN_TOKEN });
  assert.equal(business.status, 202);
});

test('after Retry-After the producer is accepted again', async () => {
  const refused = await d.call('POST', '/events', { type: 'job.progress', payload: { pct: 1 } }, { token: EVENTS_TOKEN });
  const wait = Number(refused.headers.get('retry-after') ?? 0);
  await new Promise((r) => setTimeout(r, wait * 1000 + 100));
  const again = await d.call('POST', '/events', { type: 'job.progress', payload: { pct: 2 } }, { token: EVENTS_TOKEN });
  assert.equal(again.status, 202);
});
