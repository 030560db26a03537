import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeliveryRecord } from '../../../lib/db/deliveries-store.ts';
import { pickWithinLimits, roomToClaim } from '../../../lib/webhooks/sender.ts';

const due = (webhooks: string) =>
  [...webhooks].map((w, i) => ({ id: `d${i}`, webhookId: w }) as DeliveryRecord);

test('picks in due order within the per-endpoint and overall limits', () => {
  const cases: Array<[string, Record<string, number>, number, number, string]> = [
    // due rows (by webhook), busy slots, per endpoint, free overall, picked ids
    ['AAAAB', {}, 2, 10, 'd0 d1 d4'],
    ['AAAAB', { A: 2 }, 2, 10, 'd4'],
    ['ABABAB', {}, 1, 10, 'd0 d1'],
    ['ABCABC', {}, 4, 2, 'd0 d1'],
    ['AAAA', { A: 1 }, 4, 10, 'd0 d1 d2'],
    ['', {}, 4, 10, ''],
  ];
  for (const [rows, busy, perEndpoint, free, expected] of cases) {
    const picked = pickWithinLimits(due(rows), new Map(Object.entries(busy)), perEndpoint, free);
    assert.equal(picked.map((d) => d.id).join(' '), expected, `${rows} busy=${JSON.stringify(busy)} per=${perEndpoint} free=${free}`);
  }
});

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
