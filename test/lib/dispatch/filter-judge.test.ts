// The one rule for a filter's output (chain, dry runs, run-hook): what passes is exactly what
// is stored, schema-valid JSON; anything else is refused with a message that says why.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import { createCatalog } from '../../../lib/catalog.ts';
import { judgeFilterOutput } from '../../../lib/dispatch/filter-chain.ts';
import { keepResultAsJson } from '../../../lib/dispatch/invoke.ts';

const catalog = createCatalog({
  'media.added': {
    kind: 'business',
    schema: { type: 'object', required: ['title'], properties: { title: { type: 'string', minLength: 1 }, year: { type: 'integer' } } },
  },
});
const limits = { maxDepth: 8, maxBytes: 64 * 1024 };
const current = { title: 'Dune' };
// A hook's value reaches the daemon through v8 serialize/deserialize.
const judge = (value: unknown) => judgeFilterOutput(catalog, 'media.added', current, deserialize(serialize(value)), limits);

function refused(value: unknown, message: RegExp): void {
  const judged = judge(value);
  assert.equal(judged.ok, false, `accepted: ${JSON.stringify((judged as { payload?: unknown }).payload)}`);
  assert.match((judged as { message: string }).message, message);
}

describe('judgeFilterOutput', () => {
  test('nothing (undefined or null) keeps the payload', () => {
    assert.deepEqual(judge(undefined), { ok: true, payload: current, asJson: { value: undefined } });
    assert.deepEqual(judge(null), { ok: true, payload: current, asJson: { value: null } });
  });

  test('a patch and a whole payload are accepted as plain JSON', () => {
    assert.deepEqual(judge({ patch: { year: 2021 } }), { ok: true, payload: { title: 'Dune', year: 2021 }, asJson: { value: { patch: { year: 2021 } } } });
    const whole = judge({ title: 'Arrival', at: new Date(0) });
    const arrival = { title: 'Arrival', at: '1970-01-01T00:00:00.000Z' };
    assert.deepEqual(whole, { ok: true, payload: arrival, asJson: { value: arrival } });
  });

  test('{ patch: { "__proto__": { title } } } cannot smuggle a required field past the schema', () => {
    // With the patch applied through a prototype, the payload inherited `title` and passed the
    // schema while the stored JSON had none. Own-property semantics: the title is still "Dune".
    const judged = judgeFilterOutput(catalog, 'media.added', {}, JSON.parse('{"patch":{"__proto__":{"title":"x"}}}'), limits);
    assert.equal(judged.ok, false);
    assert.match((judged as { message: string }).message, /\/title is required/);
    const kept = judge(JSON.parse('{"patch":{"__proto__":{"isAdmin":true}}}'));
    assert.ok(kept.ok);
    assert.equal(JSON.stringify(kept.payload), '{"title":"Dune","__proto__":{"isAdmin":true}}');
    assert.equal(Object.getPrototypeOf(kept.payload), Object.prototype);
  });

  test('a "constructor" key is data', () => {
    const judged = judge(JSON.parse('{"patch":{"constructor":{"prototype":{"title":1}}}}'));
    assert.ok(judged.ok);
    assert.equal(JSON.stringify(judged.payload), '{"title":"Dune","constructor":{"prototype":{"title":1}}}');
  });

  test('values JSON cannot represent are invalid output, with the pointer', () => {
    refused({ patch: { year: 2021n } }, /BigInt.*\/patch\/year/);
    refused({ patch: { tags: new Map() } }, /Map.*\/patch\/tags/);
    refused({ patch: { year: Number.NaN } }, /NaN/);
  });

  test('a payload deeper than the limit is invalid output, whole or through a patch', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 2_000; i++) deep = [deep];
    refused({ title: 'x', deep }, /deeper than 8 levels \(or refers to itself\) \(at \/deep(\/0){7}\)/);
    let eight: unknown = 1;
    for (let i = 0; i < 8; i++) eight = { x: eight };
    refused({ patch: { nested: eight } }, /deeper than 8 levels \(or refers to itself\) \(at \/patch\/nested(\/x){7}\)/);
  });

  test('a schema violation after the patch is invalid output', () => {
    refused({ patch: { title: null } }, /\/title is required/);
    refused({ patch: { year: 'soon' } }, /\/year must be integer/);
  });

  // The invoker keeps asJson instead of its own copy: it must be exactly that copy, or absent.
  describe('asJson is the copy keepResultAsJson would make', () => {
    function kept(value: unknown, bounds = limits) {
      const outcome = { status: 'ok' as const, value, logs: [], durationMs: 0 };
      const status = keepResultAsJson(outcome, 'ok', bounds);
      return { status, value: outcome.value };
    }

    for (const [name, value] of Object.entries({
      'a whole payload': { title: 'Arrival', at: new Date(0), gone: undefined, list: [undefined, 1] },
      'a patch': { patch: { year: 2021, tags: ['a', undefined] } },
      'an empty patch': { patch: {} },
      'a null patch member': { patch: { year: null } },
    })) {
      test(name, () => {
        const judged = judge(value);
        assert.ok(judged.ok && judged.asJson, 'accepted with its copy');
        assert.deepEqual(judged.asJson, { value: kept(deserialize(serialize(value))).value });
      });
    }

    test('a patch that fills maxBytes itself leaves no room for { patch }: no asJson, and the invoker refuses it', () => {
      // {"title": <string>} counts 1 + (5 + 3) + (1 + length); as { patch } 9 more.
      const sized = (length: number) => ({ patch: { title: 'x'.repeat(length) } });
      const bounds = { maxDepth: 8, maxBytes: 100 };
      const fits = judgeFilterOutput(catalog, 'media.added', current, sized(100 - 10 - 9), bounds);
      assert.ok(fits.ok && fits.asJson);
      assert.deepEqual(fits.asJson.value, kept(sized(100 - 10 - 9), bounds).value);
      const tight = judgeFilterOutput(catalog, 'media.added', current, sized(100 - 10 - 8), bounds);
      assert.ok(tight.ok, 'the payload itself fits');
      assert.equal(tight.asJson, undefined);
      assert.equal(kept(sized(100 - 10 - 8), bounds).status, 'invalid-result');
    });
  });
});
