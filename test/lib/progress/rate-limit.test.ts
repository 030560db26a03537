import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRateLimiter } from '../../../lib/progress/rate-limit.ts';

test('a bucket allows one second of burst, then refuses until Retry-After has passed', () => {
  const limiter = createRateLimiter(10);
  const t0 = 1_000_000;
  let taken = 0;
  while (limiter.take('a', t0)) taken++;
  assert.equal(taken, 10);
  assert.equal(limiter.exhausted('a', t0), true);
  assert.equal(limiter.retryAfter('a', t0), 1);
  assert.equal(limiter.take('a', t0 + 500), false, 'still refused within the block');
  assert.equal(limiter.exhausted('a', t0 + 1000), false);
  assert.equal(limiter.take('a', t0 + 1000), true, 'refilled after the block');
});

test('producers have their own buckets, and 0 means no limit', () => {
  const limiter = createRateLimiter(1);
  assert.equal(limiter.take('a', 0), true);
  assert.equal(limiter.take('a', 0), false);
  assert.equal(limiter.take('b', 0), true);
  const off = createRateLimiter(0);
  for (let i = 0; i < 1000; i++) assert.equal(off.take('a', 0), true);
  assert.equal(off.exhausted('a', 0), false);
});

test('tokens refill at the configured rate, up to one second of burst', () => {
  const limiter = createRateLimiter(100);
  for (let i = 0; i < 50; i++) assert.equal(limiter.take('a', 0), true);
  // 200 ms later: the 50 left plus 20 refilled, then refused.
  let taken = 0;
  while (limiter.take('a', 200)) taken++;
  assert.equal(taken, 70);
  // Long idle: the bucket holds one second's worth, not more.
  taken = 0;
  while (limiter.take('a', 100_000) && taken < 1000) taken++;
  assert.equal(taken, 100);
});
