import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogBudget, cutToJsonBytes, describeDropped, storedLineBytes } from '../../../runtime/worker/log-budget.ts';

const AT = '2026-11-25T12:00:00.000Z';

describe('cutToJsonBytes', () => {
  // [what, text, budget, expected prefix]: each character costs what JSON.stringify makes of it.
  const cases: Array<[string, string, number, string]> = [
    ['plain ASCII, one byte each', 'abcdef', 4, 'abcd'],
    ['a quote and a backslash, two bytes each', '"\\"\\', 5, '"\\'],
    ['named control escapes, two bytes each', '\n\t\r', 5, '\n\t'],
    ['other control characters, six bytes each', '\u0001\u001f', 11, '\u0001'],
    ['multi-byte UTF-8', 'é€😀', 5, 'é€'],
    ['a surrogate pair is never split', '😀😀', 6, '😀'],
    ['a lone surrogate, escaped to six bytes', '\ud800x', 6, '\ud800'],
    ['nothing fits', '"x', 1, ''],
  ];
  for (const [what, text, budget, expected] of cases) {
    it(`cuts ${what}`, () => {
      const cut = cutToJsonBytes(text, budget);
      assert.equal(cut, expected);
      assert.ok(Buffer.byteLength(JSON.stringify(cut)) - 2 <= budget);
    });
  }
});

describe('createLogBudget', () => {
  it('counts each line as stored: its JSON and a comma', () => {
    const line = { level: 'info' as const, message: 'a "b"', at: AT };
    assert.equal(storedLineBytes(line), Buffer.byteLength(JSON.stringify(line)) + 1);
  });

  it('keeps lines until the bytes run out, cuts the one that reaches the cap, then drops', () => {
    const empty = storedLineBytes({ level: 'info', message: '', at: AT });
    const budget = createLogBudget({ maxBytes: empty * 2 + 3, maxLines: 100 });
    assert.equal(budget.admit('info', 'x', AT)?.message, 'x');
    assert.equal(budget.admit('info', '"\\"', AT)?.message, '"', 'two bytes of room: one escaped quote');
    assert.equal(budget.admit('info', 'more', AT), undefined);
    budget.drop(5);
    assert.equal(budget.full, true);
    assert.equal(budget.used <= empty * 2 + 3, true);
    assert.equal(describeDropped(budget), 'the last line kept was cut, 6 more lines dropped');
    assert.equal(describeDropped(budget, 1234), 'the last line kept was cut, 1234 more bytes dropped');
  });

  it('caps the number of lines whatever their size', () => {
    const budget = createLogBudget({ maxBytes: 1 << 20, maxLines: 3 });
    const kept = Array.from({ length: 10 }, () => budget.admit('debug', '', AT)).filter(Boolean);
    assert.equal(kept.length, 3);
    assert.equal(budget.dropped, 7);
    assert.equal(describeDropped(budget), '7 more lines dropped');
  });
});
