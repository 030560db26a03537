// isoTime: the same text as Date#toISOString for every time, across its per-second cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTime } from '../../../lib/events/event-time.ts';

test('isoTime writes what toISOString writes, whatever the milliseconds and the order of calls', () => {
  const base = Date.UTC(2026, 11, 7, 4, 13, 32);
  const times = [
    base, base + 7, base + 42, base + 999, base + 1000, base + 1001, base + 7, // back to a second seen before
    Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), 0, -1, -999, -1001, // the epoch and before it
    Date.UTC(9999, 11, 31, 23, 59, 59, 5), Date.UTC(10000, 0, 1, 0, 0, 0, 5), -62198755200000, // past year 9999, before year 0
    base + 0.5, base + 1.25, // fractions of a millisecond
    Date.now(),
  ];
  for (const ms of times) assert.equal(isoTime(ms), new Date(ms).toISOString(), `at ${ms}`);
});
