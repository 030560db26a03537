import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickWithinLimits } from '../../../lib/db/deliveries-claim-limits.ts';

const due = (webhooks: string) => [...webhooks].map((w, i) => ({ id: `d${i}`, webhookId: w }));

test('picks in due order within each endpoint\'s room, leaving out the ids to skip', () => {
  const cases: Array<[string, Record<string, number>, number, string[], string]> = [
    // due rows (by webhook), held per endpoint, room per endpoint, ids to skip, picked ids
    ['AAAAB', {}, 2, [], 'd0 d1 d4'],
    ['AAAAB', { A: 2 }, 2, [], 'd4'],
    ['ABABAB', {}, 1, [], 'd0 d1'],
    ['AAAA', { A: 1 }, 4, [], 'd0 d1 d2'],
    ['AAAB', {}, 2, ['d0'], 'd1 d2 d3'], // a skipped row takes no room
    ['', {}, 4, [], ''],
  ];
  for (const [rows, held, max, skipIds, expected] of cases) {
    const picked = pickWithinLimits(due(rows), { room: { max, held: new Map(Object.entries(held)) }, skipIds });
    assert.equal(picked.map((d) => d.id).join(' '), expected, `${rows} held=${JSON.stringify(held)} max=${max} skip=${skipIds}`);
  }
});
