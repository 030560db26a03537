import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideNext, jittered, parseRetryAfter, type AttemptOutcome, type RetryPolicy } from '../../../lib/webhooks/retry-policy.ts';

const SVIX: RetryPolicy = { scheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000], jitter: 0.2, maxRetryAfterMs: 3_600_000 };
const middle = () => 0.5; // no jitter

test('what each outcome leads to', () => {
  const cases: Array<[string, AttemptOutcome, number, string]> = [
    ['200', { statusCode: 200 }, 1, 'succeeded'],
    ['204', { statusCode: 204 }, 3, 'succeeded'],
    ['500 retries', { statusCode: 500 }, 1, 'retry'],
    ['503 retries', { statusCode: 503 }, 2, 'retry'],
    ['408 retries', { statusCode: 408 }, 1, 'retry'],
    ['429 retries', { statusCode: 429 }, 1, 'retry'],
    ['timeout retries', { errorKind: 'timeout' }, 1, 'retry'],
    ['network error retries', { errorKind: 'network' }, 1, 'retry'],
    ['refused address fails', { errorKind: 'refused' }, 1, 'failed'],
    ['a request hookd could not make retries', { errorKind: 'local' }, 1, 'retry'],
    ['400 fails', { statusCode: 400 }, 1, 'failed'],
    ['404 fails', { statusCode: 404 }, 1, 'failed'],
    ['410 fails', { statusCode: 410 }, 1, 'failed'],
    ['302 fails: redirects are not followed', { statusCode: 302 }, 1, 'failed'],
    ['500 after the last scheduled retry fails', { statusCode: 500 }, 8, 'failed'],
    ['500 before the last one retries', { statusCode: 500 }, 7, 'retry'],
  ];
  for (const [name, outcome, attempts, state] of cases) {
    assert.equal(decideNext(outcome, attempts, SVIX, middle).state, state, name);
  }
});

test('410 Gone marks the endpoint gone; other failures do not', () => {
  assert.deepEqual(decideNext({ statusCode: 410 }, 1, SVIX), { state: 'failed', reason: 'the endpoint answered 410 Gone', gone: true });
  const d = decideNext({ statusCode: 400 }, 1, SVIX);
  assert.equal(d.state === 'failed' && d.gone, false);
});

test('delays follow the schedule: the nth retry waits the nth entry', () => {
  SVIX.scheduleMs.forEach((ms, i) => {
    assert.deepEqual(decideNext({ statusCode: 500 }, i + 1, SVIX, middle), { state: 'retry', delayMs: ms });
  });
});

test('jitter stays within its bounds', () => {
  assert.equal(jittered(1000, 0.2, () => 0), 800);
  assert.equal(jittered(1000, 0.2, () => 1), 1200);
  assert.equal(jittered(1000, 0, () => 0.1), 1000);
  for (let i = 0; i < 200; i++) {
    const d = jittered(10_000, 0.2);
    assert.ok(d >= 8000 && d <= 12_000, String(d));
  }
});

test('Retry-After lengthens the delay, up to the cap, and never shortens it', () => {
  const policy = { ...SVIX, maxRetryAfterMs: 60_000 };
  assert.deepEqual(decideNext({ statusCode: 429, retryAfterMs: 30_000 }, 1, policy, middle), { state: 'retry', delayMs: 30_000 });
  assert.deepEqual(decideNext({ statusCode: 429, retryAfterMs: 999_999 }, 1, policy, middle), { state: 'retry', delayMs: 60_000 });
  assert.deepEqual(decideNext({ statusCode: 503, retryAfterMs: 1_000 }, 1, policy, middle), { state: 'retry', delayMs: 5_000 });
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});
