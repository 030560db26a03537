import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roomToClaim } from '../../../lib/webhooks/held-deliveries.ts';

test('claims within the rows left and, at the held bodies\' average size, within the bytes left', () => {
  const MiB = 1024 * 1024;
  const cases: Array<[number, number, number, number]> = [
    // rows left, rows held, bytes held, room (maxBytes 32 MiB)
    [2048, 0, 0, 2048], // nothing held: no average yet, the rows' room
    [0, 2048, 1000, 0], // no rows left
    [2000, 48, 48 * 1000, 2000], // small bodies: the rows bound
    [2000, 16, 16 * MiB, 16], // 1 MiB bodies: 16 more fit
    [2000, 32, 32 * MiB, 0], // full
    [2000, 1, 31.5 * MiB, 1], // under the bound by less than one average: still one
  ];
  for (const [rowsLeft, heldRows, heldBytes, expected] of cases) {
    assert.equal(roomToClaim({ rowsLeft, heldRows, heldBytes, maxBytes: 32 * MiB }), expected, `${rowsLeft} ${heldRows} ${heldBytes}`);
  }
});
