// Where a request's text holds U+0000: only strings its schema types as strings, never free data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findNulText } from '../../../lib/api/nul-text.ts';

const NUL = '\u0000';
const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    payload: { description: 'free JSON' },
    tags: { type: 'array', items: { type: 'string' } },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    command: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
    'a/b': { type: 'string' },
  },
};

const cases: Array<[string, unknown, string | undefined]> = [
  ['no NUL anywhere', { name: 'x', tags: ['a'], headers: { A: 'b' } }, undefined],
  ['a typed string', { name: `x${NUL}` }, '/name'],
  ['inside free data: not walked', { payload: { deep: [`x${NUL}`] } }, undefined],
  ['an array item', { tags: ['ok', `b${NUL}`] }, '/tags/1'],
  ['a map value: stored as JSON, not walked', { headers: { 'X-A': `v${NUL}` } }, undefined],
  ['a union branch', { command: ['/bin/true', NUL] }, '/command/1'],
  ['a key that needs escaping', { 'a/b': NUL }, '/a~1b'],
  ['the root string', `a${NUL}`, undefined],
];

for (const [what, value, expected] of cases) {
  test(`findNulText: ${what}`, () => {
    assert.equal(findNulText(value, schema), expected);
  });
}

test('findNulText: a root string schema reports the root pointer', () => {
  assert.equal(findNulText(`a${NUL}`, { type: 'string' }), '');
});
