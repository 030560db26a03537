// The hooks store: definitions round-trip (JSON columns, booleans), names are unique, changes
// bump the version, failures disable a hook at the limit and a re-enable resets them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { insertUnderCap } from '../../../../lib/db/capped-insert.ts';
import { createHooksStore, type HookFields } from '../../../../lib/db/hooks-store.ts';
import { isUniqueViolation } from '../../../../lib/db/storage-errors.ts';
import type { OpenDb } from './index.ts';
import { withDb } from './with-db.ts';

function hook(name: string, over: Partial<HookFields> = {}): HookFields {
  return {
    name,
    origin: 'api',
    filePath: null,
    arrScript: null,
    kind: 'module',
    mode: 'action',
    events: ['media.*'],
    priority: 100,
    source: 'export default () => {}',
    compiled: { hash: 'h1', record: { imports: [], body: 'x' }, filename: `${name}.js` },
    command: null,
    env: ['API_KEY'],
    permissions: { net: ['example.com'] },
    timeoutMs: 1500,
    limits: null,
    enabled: true,
    disabledReason: null,
    ...over,
  };
}

export function hooksStoreContract(open: OpenDb): void {
  test('a hook round-trips and the list is ordered by priority, then name', () =>
    withDb(open, async (db) => {
      const store = createHooksStore(db);
      const created = await store.insert('h1', hook('zeta', { priority: 10 }));
      assert.deepEqual(created.compiled, { hash: 'h1', record: { imports: [], body: 'x' }, filename: 'zeta.js' });
      assert.deepEqual([created.env, created.permissions, created.enabled, created.version, created.timeoutMs], [['API_KEY'], { net: ['example.com'] }, true, 1, 1500]);
      await store.insert('h2', hook('alpha', { priority: 10, kind: 'command', compiled: null, source: null, command: ['/bin/echo', 'hi'], enabled: false }));
      await store.insert('h3', hook('beta', { priority: 5 }));
      assert.deepEqual((await store.list()).map((h) => h.name), ['beta', 'alpha', 'zeta']);
      const command = await store.findByName('alpha');
      assert.deepEqual([command?.command, command?.compiled, command?.enabled], [['/bin/echo', 'hi'], null, false]);
      assert.deepEqual((await store.listNames()).sort(), ['alpha', 'beta', 'zeta']);
    }));

  test('a second hook of the same name is refused as a unique violation', () =>
    withDb(open, async (db) => {
      const store = createHooksStore(db);
      await store.insert('h1', hook('same'));
      const err = await store.insert('h2', hook('same')).then(() => undefined, (e: unknown) => e);
      assert.ok(err, 'refused');
      assert.equal(isUniqueViolation(err), true, String(err));
      assert.equal(isUniqueViolation(new Error('other')), false);
    }));

  test('an update bumps the version; a missing hook is undefined; remove says whether it removed', () =>
    withDb(open, async (db) => {
      const store = createHooksStore(db);
      await store.insert('h1', hook('one'));
      const updated = await store.update('h1', { events: ['a.b', 'c.*'], permissions: {} });
      assert.deepEqual([updated?.version, updated?.events, updated?.permissions], [2, ['a.b', 'c.*'], {}]);
      assert.equal(await store.update('absent', { priority: 1 }), undefined);
      assert.equal(await store.remove('h1'), true);
      assert.equal(await store.remove('h1'), false);
      assert.equal(await store.get('h1'), undefined);
    }));

  test('failures disable a hook at the limit; a re-enable resets the count', () =>
    withDb(open, async (db) => {
      const store = createHooksStore(db);
      await store.insert('h1', hook('flaky'));
      assert.deepEqual(await store.recordFailure('h1', 2, 'failed twice'), { failures: 1, disabled: false });
      assert.deepEqual(await store.recordFailure('h1', 2, 'failed twice'), { failures: 2, disabled: true });
      const off = await store.get('h1');
      assert.deepEqual([off?.enabled, off?.disabledReason, off?.consecutiveFailures, off?.version], [false, 'failed twice', 2, 2]);
      assert.deepEqual(await store.recordFailure('h1', 2, 'again'), { failures: 3, disabled: false }, 'already disabled');
      const on = await store.update('h1', { enabled: true });
      assert.deepEqual([on?.enabled, on?.disabledReason, on?.consecutiveFailures], [true, null, 0]);
      await store.recordFailure('h1', 5, 'x');
      await store.resetFailures('h1');
      assert.equal((await store.get('h1'))?.consecutiveFailures, 0);
      assert.deepEqual(await store.recordFailure('absent', 1, 'x'), { failures: 0, disabled: false });
    }));

  test('pages follow priority, then name, continue after the last hook and end at the byte bound', () =>
    withDb(open, async (db) => {
      const store = createHooksStore(db);
      const source = `export default () => {} // ${'x'.repeat(1000)}`;
      for (const [name, priority] of [['delta', -5], ['alpha', 10], ['charlie', 10], ['bravo', 100]] as const) await store.insert(name, hook(name, { priority, source }));
      const first = await store.listPage({ limit: 2, maxBytes: 1 << 20 });
      assert.deepEqual([first.items.map((h) => h.name), first.more], [['delta', 'alpha'], true]);
      assert.equal('compiled' in first.items[0]!, false, 'the compiled module is not read');
      assert.equal(first.items[0]!.source, source);
      const second = await store.listPage({ limit: 2, maxBytes: 1 << 20, after: { n: 10, s: 'alpha' } });
      assert.deepEqual([second.items.map((h) => h.name), second.more], [['charlie', 'bravo'], false]);
      // Each source is over 1000 bytes: 2500 bytes hold two hooks, and one always fits.
      const cut = await store.listPage({ limit: 10, maxBytes: 2500 });
      assert.deepEqual([cut.items.map((h) => h.name), cut.more], [['delta', 'alpha'], true]);
      const one = await store.listPage({ limit: 10, maxBytes: 1 });
      assert.deepEqual([one.items.map((h) => h.name), one.more], [['delta'], true]);
    }));

  test('an insert under a cap counts every hook, file hooks included, and racing inserts never pass it', () =>
    withDb(open, async (db) => {
      const store = createHooksStore(db);
      await store.insert('f1', hook('from-file', { origin: 'file', filePath: '/hooks/media.added/a.js' }));
      assert.equal((await store.insertUnderCap('a1', hook('api-one'), 3))?.name, 'api-one');
      const raced = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((id) => store.insertUnderCap(id, hook(`race-${id}`), 3)));
      assert.equal(raced.filter(Boolean).length, 1);
      assert.equal((await store.listNames()).length, 3);
      assert.equal(await store.insertUnderCap('late', hook('late'), 3), undefined);
      assert.equal(await store.get('late'), undefined);
    }));

  test('a capped insert waits for one counted but not yet committed: the last free place is taken once', () =>
    withDb(open, async (db) => {
      const store = createHooksStore(db);
      await store.insert('h1', hook('one'));
      let release!: () => void;
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const gate = new Promise<void>((r) => (release = r));
      // The first insert has counted 1 of 2 and inserted, uncommitted, when the second starts.
      const first = insertUnderCap(db, 'hooks', 2, async (trx) => {
        await trx('hooks').insert({ id: 'h2', name: 'two', origin: 'api', kind: 'module', mode: 'action', events: '[]', created_at: 1, updated_at: 1 });
        entered();
        await gate;
      });
      await inside;
      const second = store.insertUnderCap('h3', hook('three'), 2);
      // Time for a second insert that did not wait to count the committed rows and overshoot;
      // one that waits is right however long this is.
      await Promise.race([second, delay(300)]);
      release();
      assert.equal(await first, true);
      assert.equal(await second, undefined, 'the second insert saw the first one');
      assert.deepEqual((await store.listNames()).sort(), ['one', 'two']);
    }));
}
