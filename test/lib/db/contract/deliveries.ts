// The deliveries store (the outbox): inserts, leased claims of due rows of enabled webhooks,
// success and failure marks, attempt records, cursor paging and pruning.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDeliveriesStore, type ClaimLimits, type NewDelivery } from '../../../../lib/db/deliveries-store.ts';
import { createWebhooksStore } from '../../../../lib/db/webhooks-store.ts';
import { dialectOf } from '../../../../lib/db/dialect.ts';
import type { OpenDb } from './index.ts';
import { newWebhook } from './webhooks.ts';
import { withDb } from './with-db.ts';

function delivery(id: string, over: Partial<NewDelivery> = {}): NewDelivery {
  return { id, webhookId: 'w1', eventId: `e-${id}`, eventType: 'media.added', body: `{"id":"${id}"}`, status: 'pending', attempts: 0, nextAttemptAt: 100, createdAt: 10, ...over };
}

// Limits that leave every candidate in.
const everything: ClaimLimits = { room: { max: 1000, held: new Map() }, skipIds: [] };

export function deliveriesStoreContract(open: OpenDb): void {
  test('claimDue leases due pending rows of enabled webhooks in due order, and not again while leased', () =>
    withDb(open, async (db) => {
      const webhooks = createWebhooksStore(db);
      const store = createDeliveriesStore(db);
      await webhooks.insert(newWebhook('w1'));
      await webhooks.insert(newWebhook('w2'));
      await webhooks.insert(newWebhook('off', { enabled: false }));
      await db.transaction((trx) =>
        store.insertMany([delivery('late', { nextAttemptAt: 300 }), delivery('first', { nextAttemptAt: 50 }), delivery('future', { nextAttemptAt: 5000 }), delivery('w2', { webhookId: 'w2' }), delivery('off', { webhookId: 'off' })], trx),
      );
      const claimed = await store.claimDue({ owner: 'a', now: 1000, leaseUntil: 2000, candidates: 10, excludeWebhookIds: ['w2'], limits: everything });
      assert.deepEqual(claimed.map((d) => d.id), ['first', 'late']);
      assert.ok(claimed.every((d) => d.claimedUntil === 2000));
      assert.equal((await store.get('first'))?.claimedUntil, 2000);
      assert.deepEqual((await store.claimDue({ owner: 'a', now: 1500, leaseUntil: 2500, candidates: 10, excludeWebhookIds: [], limits: everything })).map((d) => d.id), ['w2']);
      assert.deepEqual(await store.claimDue({ owner: 'a', now: 1600, leaseUntil: 2600, candidates: 10, excludeWebhookIds: [], limits: everything }), []);
      // An expired lease is claimed again; `limits` choose among the candidates.
      const again = await store.claimDue({ owner: 'a', now: 2100, leaseUntil: 3000, candidates: 10, excludeWebhookIds: [], limits: { room: { max: 1, held: new Map() }, skipIds: [] } });
      assert.deepEqual(again.map((d) => d.id), ['first']);
      assert.equal(await store.nextDueAt(), 100, 'the earliest unclaimed pending row (of the disabled webhook: nextDueAt does not join)');
      await store.releaseClaims(['first'], 'a');
      assert.equal((await store.get('first'))?.claimedUntil, null);
      assert.ok((await store.releaseAllClaims()) >= 2);
      assert.deepEqual(await store.countBacklog(), { pending: 5, retrying: 0 });
    }));

  test('claimDueOrNext claims what is due, and when nothing is, says when the next row falls due', () =>
    withDb(open, async (db) => {
      const store = createDeliveriesStore(db);
      await createWebhooksStore(db).insert(newWebhook('w1'));
      await db.transaction((trx) => store.insertMany([delivery('now', { nextAttemptAt: 100 }), delivery('later', { nextAttemptAt: 5000 })], trx));
      const q = (now: number) => ({ owner: 'a', now, leaseUntil: now + 1000, candidates: 10, excludeWebhookIds: [], limits: everything });
      const first = await store.claimDueOrNext(q(1000));
      assert.deepEqual(first.claimed.map((d) => d.id), ['now']);
      assert.equal(first.nextDueAt, undefined, 'read only when nothing was due');
      // 'now' is leased until 2000: on PostgreSQL (several daemons) the lease's end is when it may
      // come due again; on SQLite leases are the one daemon's own, the next retry is what counts.
      const second = await store.claimDueOrNext(q(1500));
      assert.deepEqual(second.claimed, []);
      assert.equal(second.nextDueAt, dialectOf(db).client === 'postgres' ? 2000 : 5000);
      await store.update('now', { status: 'succeeded', claimedUntil: null }, 1600);
      assert.equal((await store.claimDueOrNext(q(1600))).nextDueAt, 5000);
      await store.update('later', { status: 'succeeded' }, 1700);
      assert.equal((await store.claimDueOrNext(q(1700))).nextDueAt, undefined, 'nothing pending: no due time');
    }));

  test('claimDueOrNext with limits takes each endpoint only up to its room, in due order, skipping the ids given', () =>
    withDb(open, async (db) => {
      const store = createDeliveriesStore(db);
      const webhooks = createWebhooksStore(db);
      for (const id of ['w1', 'w2', 'w3']) await webhooks.insert(newWebhook(id));
      await db.transaction((trx) =>
        store.insertMany(
          [
            delivery('a1', { nextAttemptAt: 10 }), delivery('a2', { nextAttemptAt: 20 }), delivery('a3', { nextAttemptAt: 30 }),
            delivery('b1', { webhookId: 'w2', nextAttemptAt: 15 }), delivery('b2', { webhookId: 'w2', nextAttemptAt: 25 }),
            delivery('c1', { webhookId: 'w3', nextAttemptAt: 5 }), delivery('skip', { webhookId: 'w3', nextAttemptAt: 1 }),
          ],
          trx,
        ),
      );
      // Room 2 an endpoint; w2 already holds 1 here; 'skip' is held although its lease may have
      // lapsed. The same data on both: SQL on PostgreSQL, pickWithinLimits on SQLite.
      const outcome = await store.claimDueOrNext({
        owner: 'a', now: 1000, leaseUntil: 2000, candidates: 10, excludeWebhookIds: [],
        limits: { room: { max: 2, held: new Map([['w2', 1]]) }, skipIds: ['skip'] },
      });
      assert.deepEqual(outcome.claimed.map((d) => d.id), ['c1', 'a1', 'b1', 'a2']);
      assert.ok(outcome.claimed.every((d) => d.claimedUntil === 2000 && d.body === `{"id":"${d.id}"}` && d.webhookVersion === 1));
      assert.equal((await store.get('a3'))?.claimedUntil, null, 'a row past its endpoint\'s room stays unclaimed');
      assert.equal((await store.get('skip'))?.claimedUntil, null);
    }));

  test('markSucceeded counts the attempt and reports rows that were no longer pending', () =>
    withDb(open, async (db) => {
      const store = createDeliveriesStore(db);
      await store.insertMany([delivery('a'), delivery('b'), delivery('c', { attempts: 2 })]);
      assert.equal(await store.update('b', { status: 'failed', lastError: 'endpoint disabled' }, 20, undefined, 'pending'), 1);
      assert.equal(await store.update('b', { status: 'pending' }, 21, undefined, 'pending'), 0, 'ifStatus guards the change');
      const stale = await db.transaction((trx) => store.markSucceeded([{ id: 'a', statusCode: 200 }, { id: 'b', statusCode: 200 }, { id: 'c', statusCode: 204 }], 30, trx));
      assert.deepEqual(stale, ['b']);
      const c = await store.get('c');
      assert.deepEqual([c?.status, c?.attempts, c?.lastStatusCode, c?.updatedAt, c?.claimedUntil], ['succeeded', 3, 204, 30, null]);
      assert.equal((await store.get('b'))?.status, 'failed');
      assert.deepEqual(await store.countBacklog(), { pending: 0, retrying: 0 });
    }));

  test('attempts are recorded in order, response bodies with any characters included', () =>
    withDb(open, async (db) => {
      const store = createDeliveriesStore(db);
      await store.insertMany([delivery('a')]);
      const body = 'binary\u0000junk é';
      await store.insertAttempts([
        { deliveryId: 'a', webhookId: 'w1', attemptedAt: 1, durationMs: 12.375, statusCode: 500, responseBody: body, error: null },
        { deliveryId: 'a', webhookId: 'w1', attemptedAt: 2, durationMs: 3.5, statusCode: null, responseBody: null, error: 'connect ECONNREFUSED' },
      ]);
      await store.insertAttempt({ deliveryId: 'a', webhookId: 'w1', attemptedAt: 3, durationMs: 1, statusCode: 200, responseBody: '', error: null });
      const list = await store.listAttempts(['a']);
      assert.deepEqual(list.map((a) => a.attemptedAt), [1, 2, 3]);
      assert.equal(list[0]!.durationMs, 12.375);
      assert.equal(list[0]!.responseBody, 'binary\uFFFDjunk é', 'stored with U+0000 replaced, never refused');
      assert.equal(list[1]!.error, 'connect ECONNREFUSED');
      await store.update('a', { lastError: `HTTP 500: ${body}` }, 5);
      assert.equal((await store.get('a'))?.lastError, 'HTTP 500: binary\uFFFDjunk é');
      assert.ok(list[0]!.id < list[1]!.id);
    }));

  test('listByWebhook pages newest first by (created_at, id) and filters by status', () =>
    withDb(open, async (db) => {
      const store = createDeliveriesStore(db);
      await store.insertMany([delivery('a', { createdAt: 1 }), delivery('b', { createdAt: 2 }), delivery('c', { createdAt: 2 }), delivery('d', { createdAt: 3, status: 'failed' }), delivery('x', { webhookId: 'w2' })]);
      const page1 = await store.listByWebhook('w1', { limit: 2 });
      assert.deepEqual(page1.map((d) => d.id), ['d', 'c']);
      assert.ok(page1.every((d) => !('body' in d)), 'a list reads no bodies (each may be a whole big event)');
      const last = page1.at(-1)!;
      const page2 = await store.listByWebhook('w1', { limit: 2, before: { createdAt: last.createdAt, id: last.id } });
      assert.deepEqual(page2.map((d) => d.id), ['b', 'a']);
      assert.deepEqual((await store.listByWebhook('w1', { limit: 10, status: 'failed' })).map((d) => d.id), ['d']);
      assert.deepEqual((await store.listByEvent('e-x')).map((d) => d.id), ['x']);
      assert.ok(!('body' in (await store.listByEvent('e-x'))[0]!), "an event's deliveries are read without bodies (each is the event again)");
    }));

  test('a disabled webhook fails its pending rows; removal and pruning take attempts with them', () =>
    withDb(open, async (db) => {
      const store = createDeliveriesStore(db);
      await store.insertMany([delivery('p'), delivery('s', { status: 'succeeded' }), delivery('other', { webhookId: 'w2', status: 'succeeded' })]);
      await store.insertAttempts([{ deliveryId: 'other', webhookId: 'w2', attemptedAt: 1, durationMs: 1, statusCode: 200, responseBody: null, error: null }]);
      assert.equal(await store.failPendingForWebhook('w1', 'disabled', 50), 1);
      assert.deepEqual([(await store.get('p'))?.status, (await store.get('p'))?.lastError], ['failed', 'disabled']);
      assert.equal(await store.pruneBefore(40), 2, 'only finished rows last changed before the cut');
      assert.ok(await store.get('p'), 'failed at 50: after the cut');
      assert.equal(await store.get('s'), undefined);
      assert.deepEqual(await store.listAttempts(['other']), []);
      await store.removeForWebhook('w1');
      assert.deepEqual(await store.listByWebhook('w1', { limit: 10 }), []);
    }));

  test('failing a webhook\'s pending rows keeps a claim in flight; reopenFinished reopens a finished row only while no live claim holds it', () =>
    withDb(open, async (db) => {
      const store = createDeliveriesStore(db);
      await createWebhooksStore(db).insert(newWebhook('w1'));
      await store.insertMany([delivery('sending'), delivery('done', { status: 'succeeded', attempts: 1 })]);
      assert.deepEqual((await store.claimDue({ owner: 'a', now: 1000, leaseUntil: 5000, candidates: 10, excludeWebhookIds: [], limits: everything })).map((d) => d.id), ['sending']);
      assert.equal(await store.failPendingForWebhook('w1', 'disabled', 1100), 1);
      assert.deepEqual([(await store.get('sending'))?.status, (await store.get('sending'))?.claimedUntil], ['failed', 5000], 'its lease kept');
      assert.equal(await store.reopenFinished('sending', 1200), false, 'an attempt may still be in flight');
      assert.equal(await store.reopenFinished('sending', 5001), true, 'its lease has run out');
      const reopened = await store.get('sending');
      assert.deepEqual([reopened?.status, reopened?.attempts, reopened?.nextAttemptAt, reopened?.claimedUntil], ['pending', 0, 5001, null]);
      assert.equal(await store.reopenFinished('sending', 5002), false, 'pending already');
      assert.equal(await store.reopenFinished('done', 5002), true);
      assert.equal(await store.reopenFinished('missing', 5002), false);
    }));
}
