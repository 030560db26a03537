// A filter's output as an attacker shapes it: merge patches with "__proto__" or "constructor"
// keys, values JSON cannot hold. What the chain stores is always schema-valid JSON; anything
// else is the hook's invalid-output, in the chain, in dry runs, never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon({ config: { hooks: { watch: false } } });
});
after(() => d.close());

let seq = 0;
async function withFilter(source: string, run: (hookId: string) => Promise<void>): Promise<void> {
  const r = await d.call('POST', '/hooks', { name: `filter-${++seq}`, mode: 'filter', events: ['media.added'], source });
  assert.equal(r.status, 201, r.text);
  try {
    await run(r.body.id);
  } finally {
    assert.equal((await d.call('DELETE', `/hooks/${r.body.id}`)).status, 204);
  }
}

/** Posts with ?wait=true and returns the chain's answer and the stored event's raw JSON text. */
async function filterDune(): Promise<{ body: any; stored: string }> {
  const r = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'Dune' } });
  assert.equal(r.status, 200, r.text);
  const stored = await d.call('GET', `/events/${r.body.id}`);
  assert.equal(stored.status, 200);
  return { body: r.body, stored: stored.text };
}

describe('merge patches with prototype-shaped keys', () => {
  test('{ patch: { "__proto__": { title }, title: null } } cannot keep a required field by inheritance', async () => {
    // Through a prototype, `title` was inherited: the schema check passed and the stored JSON had none.
    await withFilter(`export default () => ({ patch: JSON.parse('{"__proto__":{"title":"from the prototype"},"title":null}') })`, async () => {
      const { body, stored } = await filterDune();
      assert.equal(body.results[0].status, 'invalid-output');
      assert.match(body.results[0].error, /\/title is required/);
      assert.deepEqual(body.payload, { title: 'Dune' });
      assert.equal(JSON.parse(stored).finalPayload.title, 'Dune');
    });
  });

  test('{ patch: { "constructor": { "prototype": { title } }, title: null } } is refused the same way', async () => {
    await withFilter(`export default () => ({ patch: JSON.parse('{"constructor":{"prototype":{"title":"x"}},"title":null}') })`, async () => {
      const { body } = await filterDune();
      assert.equal(body.results[0].status, 'invalid-output');
      assert.deepEqual(body.payload, { title: 'Dune' });
    });
  });

  test('a harmless "__proto__" key is stored as an ordinary key, and nothing is polluted', async () => {
    await withFilter(`export default () => ({ patch: JSON.parse('{"__proto__":{"isAdmin":true},"year":2021}') })`, async () => {
      const { body, stored } = await filterDune();
      assert.equal(body.results[0].status, 'ok');
      assert.match(stored, /"finalPayload":\{"title":"Dune","__proto__":\{"isAdmin":true\},"year":2021\}/);
      assert.equal(({} as { isAdmin?: unknown }).isAdmin, undefined);
      // The next event starts from a clean payload: no shared prototype carries the key along.
      const next = await d.call('POST', '/events', { type: 'media.added', payload: { title: 'Arrival' } });
      assert.doesNotMatch((await d.call('GET', `/events/${next.body.id}`)).text, /isAdmin/);
    });
  });
});

describe('values JSON cannot represent', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a BigInt', '({ patch: { year: 2021n } })', /BigInt.*\/patch\/year/],
    ['a Map', '({ patch: { tags: new Map([["a", 1]]) } })', /Map.*\/patch\/tags/],
    ['NaN', '({ patch: { year: NaN } })', /NaN/],
    ['a Set as the whole payload', 'new Set([1])', /Set/],
  ];
  for (const [name, value, message] of cases) {
    test(`${name} is invalid-output in the chain and in a dry run, never a 500`, async () => {
      await withFilter(`export default () => ${value}`, async (id) => {
        const { body } = await filterDune();
        assert.equal(body.results[0].status, 'invalid-output');
        assert.match(body.results[0].error, message);
        assert.deepEqual(body.payload, { title: 'Dune' });
        const dry = await d.call('POST', `/hooks/${id}/test`, { type: 'media.added', payload: { title: 'Dune' } });
        assert.equal(dry.status, 200, dry.text);
        assert.equal(dry.body.status, 'invalid-output');
        assert.equal(dry.body.result, undefined);
      });
    });
  }

  test('JSON conversions apply before the schema: a Date becomes its ISO string, undefined is left out', async () => {
    await withFilter('export default () => ({ patch: { path: new Date(0), qualityProfile: undefined } })', async () => {
      const { body, stored } = await filterDune();
      assert.equal(body.results[0].status, 'ok');
      assert.deepEqual(body.payload, { title: 'Dune', path: '1970-01-01T00:00:00.000Z' });
      assert.deepEqual(JSON.parse(stored).finalPayload, body.payload);
    });
  });
});
