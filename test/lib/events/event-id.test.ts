import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEventId } from '../../../lib/events/event-id.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a new event id is a UUIDv7 whose first 48 bits are the time in ms', () => {
  const at = Date.UTC(2026, 0, 31, 12, 0, 0, 123);
  const id = newEventId(at);
  assert.match(id, UUID_V7);
  assert.equal(Number.parseInt(id.replace('-', '').slice(0, 12), 16), at);
});

test('ids sort by the time they were made, and ids made in the same ms differ', () => {
  const ids = [newEventId(1_000), newEventId(1_001), newEventId(2_000_000_000_000)];
  assert.deepEqual([...ids].sort(), ids);
  const same = new Set(Array.from({ length: 1000 }, () => newEventId(5_000)));
  assert.equal(same.size, 1000);
});
