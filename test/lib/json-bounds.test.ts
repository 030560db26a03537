// The JSON bounds rule as an attacker meets it: depth found with its pointer without recursion,
// and hook values copied as JSON data or refused with a reason, whatever v8 can deserialize.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import { findTooDeep, toJsonData } from '../../lib/json-bounds.ts';

function nest(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('findTooDeep', () => {
  const cases: Array<[string, unknown, number, string | undefined]> = [
    ['a scalar is 0 deep', 'x', 0, undefined],
    ['{} is 1 deep', {}, 1, undefined],
    ['one level too many', { a: { b: {} } }, 2, '/a/b'],
    ['the first in document order', { a: [1, { c: {} }], b: { d: { e: {} } } }, 2, '/a/1'],
    ['keys are escaped as RFC 6901 says', { 'a/b': { '~': {} } }, 1, '/a~1b'],
    ['exactly at the limit fits', nest(64), 64, undefined],
  ];
  for (const [name, value, max, pointer] of cases) test(name, () => assert.equal(findTooDeep(value, max), pointer));

  test('100,000 levels (as JSON.parse builds them) give the 65th level\'s pointer, no stack overflow', () => {
    const value = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    assert.equal(findTooDeep(value, 64), '/0'.repeat(64));
  });
});

describe('toJsonData', () => {
  const limits = { maxDepth: 8, maxBytes: 10_000 };

  test('JSON conversions: Date to ISO, -0 to 0, undefined left out of objects and null in arrays, holes null', () => {
    // eslint-disable-next-line no-sparse-arrays
    const value = deserialize(serialize({ at: new Date(0), zero: -0, gone: undefined, list: [undefined, , 3], boxed: Object('s') }));
    const copy = toJsonData(value, limits);
    assert.ok(copy.ok);
    const expected = { at: '1970-01-01T00:00:00.000Z', zero: 0, list: [null, null, 3], boxed: 's' };
    assert.deepEqual(copy.value, expected);
    assert.ok(Object.is((copy.value as { zero: number }).zero, 0));
    // What the copy counted against maxBytes: a lower bound of its JSON text's length.
    assert.ok(copy.size > 0 && copy.size <= Buffer.byteLength(JSON.stringify(expected)), `size ${copy.size}`);
  });

  const refused: Array<[string, unknown, RegExp, string]> = [
    ['a BigInt', { n: 10n }, /BigInt/, '/n'],
    ['NaN', { list: [1, Number.NaN] }, /NaN/, '/list/1'],
    ['Infinity', Number.POSITIVE_INFINITY, /Infinity/, ''],
    ['a Map', { m: new Map([[1, 2]]) }, /Map/, '/m'],
    ['a Set', [new Set()], /Set/, '/0'],
    ['a typed array', { b: new Uint8Array(4) }, /Uint8Array/, '/b'],
    ['an invalid Date', { d: new Date(Number.NaN) }, /invalid Date/, '/d'],
    ['too deep', nest(9), /deeper than 8/, '/0'.repeat(8)],
  ];
  for (const [name, value, message, pointer] of refused) {
    test(`refuses ${name} with its pointer`, () => {
      const result = toJsonData(deserialize(serialize(value)), limits);
      assert.equal(result.ok, false);
      assert.match((result as { message: string }).message, message);
      assert.equal((result as { pointer: string }).pointer, pointer);
    });
  }

  test('a cycle is refused as too deep', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const result = toJsonData(deserialize(serialize(cyclic)), limits);
    assert.equal(result.ok, false);
    assert.match((result as { message: string }).message, /refers to itself/);
  });

  test('a small graph of shared references cannot expand without bound', () => {
    let dag: Record<string, unknown> = { s: 'x' };
    for (let i = 0; i < 60; i++) dag = { a: dag, b: dag }; // 2^60 paths
    const bytes = serialize(dag);
    assert.ok(bytes.length < 2_000, 'v8 serializes it small, with back-references');
    const result = toJsonData(deserialize(bytes), { maxDepth: 100, maxBytes: 100_000 });
    assert.equal(result.ok, false);
    assert.match((result as { message: string }).message, /larger than 100000 bytes/);
  });

  test('a sparse array of length 1e9 is refused before it is walked', () => {
    const sparse: unknown[] = [];
    sparse.length = 1e9;
    const result = toJsonData(deserialize(serialize(sparse)), limits);
    assert.equal(result.ok, false);
  });

  test('"__proto__" and "constructor" stay own data keys of a plain object', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
    const result = toJsonData(value, limits);
    assert.ok(result.ok);
    const copy = result.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ['__proto__', 'constructor']);
    assert.equal(JSON.stringify(copy), '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
