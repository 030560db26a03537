// RFC 7396 merge patch with own-property semantics: keys named like prototype machinery are
// plain data and never reach a prototype.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMergePatch } from '../../../runtime/chain/merge-patch.ts';

test('RFC 7396 basics: replace, add, remove with null, nested merge, non-object replaces', () => {
  assert.deepEqual(applyMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: 9, b: { c: null, e: 4 }, f: [1] }), { a: 9, b: { d: 3, e: 4 }, f: [1] });
  assert.deepEqual(applyMergePatch({ a: 1 }, 'x'), 'x');
  assert.deepEqual(applyMergePatch([1, 2], { a: 1 }), { a: 1 });
});

// [key, patch, the stored JSON]
const patches: Array<[string, string, string]> = [
  ['__proto__', '{"__proto__":{"title":"injected","isAdmin":true}}', '{"title":"Dune","meta":{},"__proto__":{"title":"injected","isAdmin":true}}'],
  ['constructor', '{"constructor":{"prototype":{"isAdmin":true}}}', '{"title":"Dune","meta":{},"constructor":{"prototype":{"isAdmin":true}}}'],
  ['prototype', '{"prototype":{"isAdmin":true}}', '{"title":"Dune","meta":{},"prototype":{"isAdmin":true}}'],
  ['nested __proto__', '{"meta":{"__proto__":{"isAdmin":true}}}', '{"title":"Dune","meta":{"__proto__":{"isAdmin":true}}}'],
];
for (const [name, text, stored] of patches) {
  test(`a patch key "${name}" is stored as data and changes no prototype`, () => {
    const target = { title: 'Dune', meta: {} };
    const result = applyMergePatch(target, JSON.parse(text)) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.equal(result.title, 'Dune');
    assert.equal((result as { isAdmin?: unknown }).isAdmin, undefined, 'nothing inherited');
    assert.equal(({} as { isAdmin?: unknown }).isAdmin, undefined, 'Object.prototype untouched');
    assert.equal(JSON.stringify(result), stored);
    assert.deepEqual(target, { title: 'Dune', meta: {} }, 'the target is not changed');
  });
}

test('a null for "__proto__" removes only an own "__proto__" key', () => {
  const target = JSON.parse('{"__proto__":{"x":1},"title":"a"}');
  const result = applyMergePatch(target, JSON.parse('{"__proto__":null}')) as object;
  assert.equal(JSON.stringify(result), '{"title":"a"}');
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
});
