// The tokens store (digests only, unique names) and readiness's health probe (a write read back).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHealthProbe } from '../../../../lib/db/health-probe.ts';
import { isUniqueViolation } from '../../../../lib/db/storage-errors.ts';
import { createTokensStore } from '../../../../lib/db/tokens-store.ts';
import type { OpenDb } from './index.ts';
import { withDb } from './with-db.ts';

export function probeAndTokensContract(open: OpenDb): void {
  test('tokens are found by digest and by name; a name is unique', () =>
    withDb(open, async (db) => {
      const store = createTokensStore(db);
      const created = await store.create({ name: 'ci', hash: 'abc', scopes: ['events', 'metrics'] });
      assert.deepEqual(await store.findByHash('abc'), created);
      assert.deepEqual((await store.findByName('ci'))?.scopes, ['events', 'metrics']);
      assert.equal(await store.findByHash('nope'), undefined);
      const err = await store.create({ name: 'ci', hash: 'def', scopes: ['admin'] }).then(() => undefined, (e: unknown) => e);
      assert.equal(isUniqueViolation(err), true, String(err));
    }));

  test('the health probe reads back the nonce it last wrote', () =>
    withDb(open, async (db) => {
      const probe = createHealthProbe(db);
      assert.equal(await probe.writeAndRead('one', 1), 'one');
      assert.equal(await probe.writeAndRead('two', 2), 'two');
      const room = await probe.pageRoom();
      if (room) assert.ok(room.pagesLeft > 0 && room.pageSize > 0);
    }));
}
