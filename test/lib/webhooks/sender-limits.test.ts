import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeliveryRecord } from '../../../lib/db/deliveries-store.ts';
import { pickWithinLimits } from '../../../lib/webhooks/sender.ts';

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
