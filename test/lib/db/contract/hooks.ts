// The hooks store: definitions round-trip (JSON columns, booleans), names are unique, changes
// bump the version, failures disable a hook at the limit and a re-enable resets them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
}
