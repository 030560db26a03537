// The webhooks store: records round-trip (long URLs, headers, rotation fields), changes bump
// the version, failure counts move and reset, enabled ones are listed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWebhooksStore, type WebhookRecord } from '../../../../lib/db/webhooks-store.ts';
import type { OpenDb } from './index.ts';
import { withDb } from './with-db.ts';

export function newWebhook(id: string, over: Partial<WebhookRecord> = {}) {
  return {
    id,
    url: `http://127.0.0.1:9/${id}`,
    events: ['media.*'],
    secret: 'whsec_x',
    previousSecret: null,
    previousSecretExpiresAt: null,
    description: null,
    headers: {},
    timeoutMs: null,
    enabled: true,
    createdAt: 1000,
    updatedAt: 1000,
    ...over,
  };
}

export function webhooksStoreContract(open: OpenDb): void {
  test('a webhook round-trips, a URL and a reason longer than 255 characters included', () =>
    withDb(open, async (db) => {
      const store = createWebhooksStore(db);
      const url = `https://example.com/${'p'.repeat(400)}`;
      const created = await store.insert(newWebhook('w1', { url, headers: { 'X-A': 'b' }, description: 'd'.repeat(300), timeoutMs: 2500, disabledReason: null }));
      assert.equal(created.url, url);
      assert.deepEqual(created.headers, { 'X-A': 'b' });
      assert.deepEqual([created.version, created.consecutiveFailures, created.enabled, created.timeoutMs], [1, 0, true, 2500]);
      const reason = `disabled: ${'r'.repeat(400)}`;
      const changed = await store.update('w1', { enabled: false, disabledReason: reason, previousSecret: 'old', previousSecretExpiresAt: 9_999_999_999_999 }, 2000);
      assert.deepEqual([changed?.enabled, changed?.disabledReason, changed?.version, changed?.updatedAt], [false, reason, 2, 2000]);
      assert.equal(changed?.previousSecretExpiresAt, 9_999_999_999_999);
      assert.equal(await store.update('absent', { enabled: true }, 1), undefined);
    }));

  test('lists keep creation order; listEnabled and getMany select; remove says whether it removed', () =>
    withDb(open, async (db) => {
      const store = createWebhooksStore(db);
      await store.insert(newWebhook('b', { createdAt: 1 }));
      await store.insert(newWebhook('a', { createdAt: 2, enabled: false }));
      await store.insert(newWebhook('c', { createdAt: 2 }));
      assert.deepEqual((await store.listPage({ limit: 10, maxBytes: 1 << 20 })).items.map((w) => w.id), ['b', 'a', 'c']);
      assert.deepEqual((await store.listEnabled()).map((w) => w.id).sort(), ['b', 'c']);
      assert.deepEqual((await store.getMany(['c', 'a', 'zz'])).map((w) => w.id).sort(), ['a', 'c']);
      assert.deepEqual((await store.listIds()).sort(), ['a', 'b', 'c']);
      assert.equal(await store.remove('a'), true);
      assert.equal(await store.remove('a'), false);
    }));

  test('pages continue after the last endpoint (createdAt, then id) and end at the byte bound', () =>
    withDb(open, async (db) => {
      const store = createWebhooksStore(db);
      const description = 'd'.repeat(1000);
      for (const [id, createdAt] of [['b', 1], ['a', 2], ['c', 2], ['d', 3]] as const) await store.insert(newWebhook(id, { createdAt, description }));
      const first = await store.listPage({ limit: 2, maxBytes: 1 << 20 });
      assert.deepEqual([first.items.map((w) => w.id), first.more], [['b', 'a'], true]);
      const second = await store.listPage({ limit: 2, maxBytes: 1 << 20, after: { n: 2, s: 'a' } });
      assert.deepEqual([second.items.map((w) => w.id), second.more], [['c', 'd'], false]);
      // Each row holds over 1000 bytes of text: 2500 bytes fit two of them.
      const cut = await store.listPage({ limit: 10, maxBytes: 2500, after: { n: 1, s: 'b' } });
      assert.deepEqual([cut.items.map((w) => w.id), cut.more], [['a', 'c'], true]);
    }));

  test('an insert under a cap is refused once the cap is reached, and racing inserts never pass it', () =>
    withDb(open, async (db) => {
      const store = createWebhooksStore(db);
      assert.equal((await store.insertUnderCap(newWebhook('first'), 3))?.id, 'first');
      const raced = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => store.insertUnderCap(newWebhook(id), 3)));
      assert.equal(raced.filter(Boolean).length, 2);
      assert.equal((await store.listIds()).length, 3);
      assert.equal(await store.insertUnderCap(newWebhook('late'), 3), undefined);
      assert.equal(await store.get('late'), undefined);
    }));

  test('failures are counted and reset inside the caller\'s transaction', () =>
    withDb(open, async (db) => {
      const store = createWebhooksStore(db);
      await store.insert(newWebhook('w'));
      assert.equal(await db.transaction((trx) => store.incrementFailures('w', trx)), 1);
      assert.equal(await db.transaction((trx) => store.incrementFailures('w', trx)), 2);
      assert.equal((await store.get('w'))?.consecutiveFailures, 2);
      await db.transaction((trx) => store.resetFailures('w', trx));
      assert.equal((await store.get('w'))?.consecutiveFailures, 0);
    }));
}
