// Several daemons on one database: two claimers (two "daemons", owners a and b) never both get
// an event or a delivery, each renews and releases only its own leases, an expired lease is
// taken over by the other, and a client id stored by one while another inserts it is not created twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDeliveriesStore, type ClaimLimits, type NewDelivery } from '../../../../lib/db/deliveries-store.ts';
import { createEventsStore } from '../../../../lib/db/events-store.ts';
import { createWebhooksStore } from '../../../../lib/db/webhooks-store.ts';
import { newEvent } from './events.ts';
import type { OpenDb } from './index.ts';
import { newWebhook } from './webhooks.ts';
import { withDb } from './with-db.ts';

// Limits that leave every candidate in.
const everything: ClaimLimits = { room: { max: 1000, held: new Map() }, skipIds: [] };

function delivery(id: string): NewDelivery {
  return { id, webhookId: 'w1', eventId: `e-${id}`, eventType: 'media.added', body: '{}', status: 'pending', attempts: 0, nextAttemptAt: 100, createdAt: 10 };
}

export function claimsContract(open: OpenDb): void {
  test('two claimers racing for the same events get disjoint sets that cover them; a leased event is not listed as claimable', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const events = Array.from({ length: 40 }, () => newEvent());
      await store.insertGenerated(events);
      const ids = events.map((e) => e.id);
      const [a, b] = await Promise.all([
        store.claim(ids, { owner: 'a', now: 1000, until: 2000 }),
        store.claim([...ids].reverse(), { owner: 'b', now: 1000, until: 2000 }),
      ]);
      assert.equal(a.size + b.size, ids.length, 'every event went to exactly one claimer');
      assert.deepEqual([...a].filter((id) => b.has(id)), []);
      assert.equal((await store.claim(ids, { owner: 'b', now: 1500, until: 2500 })).size, 0, 'nothing is claimed again while leased');
      assert.deepEqual(await store.listClaimable(100, 0, 1500), []);
    }));

  test('an event lease is renewed and released by its owner only, taken over once expired, and a done event is never claimed', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      const [e1, e2, done] = [newEvent(), newEvent(), newEvent({ status: 'done' })];
      await store.insertGenerated([e1!, e2!, done!]);
      assert.deepEqual([...(await store.claim([e1!.id, done!.id], { owner: 'a', now: 1000, until: 2000 }))], [e1!.id]);
      assert.deepEqual([...(await store.claim([e2!.id], { owner: 'b', now: 1000, until: 2000 }))], [e2!.id]);
      assert.equal(await store.renewClaims('a', 3000), 1, "a renews its own lease only");
      assert.deepEqual((await store.listClaimable(10, 0, 2500)).map((e) => e.id), [e2!.id], "b's lease expired at 2000; a's was renewed to 3000");
      assert.deepEqual([...(await store.claim([e1!.id, e2!.id], { owner: 'c', now: 2500, until: 4000 }))], [e2!.id], 'the expired lease is taken over');
      assert.equal(await store.renewClaims('b', 5000), 0, 'b no longer holds anything to renew');
      assert.equal(await store.releaseClaims('c'), 1);
      assert.deepEqual((await store.listClaimable(10, 0, 2500)).map((e) => e.id), [e2!.id], 'a released event is claimable at once');
      await store.markDone([e1!.id]);
      assert.equal((await store.claim([e1!.id], { owner: 'b', now: 9000, until: 10_000 })).size, 0, 'a dispatched event stays done');
    }));

  test('an id stored by another daemon between the lookup and the insert is reported as not created, with the stored event', () =>
    withDb(open, async (db) => {
      const store = createEventsStore(db);
      await store.insertGenerated([newEvent({ id: 'raced', payload: { title: 'first' } })]);
      // generatedId skips the lookup: the insert itself meets the row, as in a race between daemons.
      const results = await db.transaction((trx) => store.insertMany(trx, [newEvent({ id: 'raced', payload: { title: 'second' } }), newEvent({ id: 'fresh' })]));
      assert.deepEqual(results.map((r) => [r.event.id, r.created]), [['raced', false], ['fresh', true]]);
      assert.deepEqual(results[0]!.event.payload, { title: 'first' });
      assert.ok(results[0]!.event.seq > 0 && results[1]!.event.seq > results[0]!.event.seq);
      assert.deepEqual((await store.get('raced'))?.payload, { title: 'first' });
    }));

  test('two claimers racing for due deliveries never both get one; each renews and releases only its own', () =>
    withDb(open, async (db) => {
      const webhooks = createWebhooksStore(db);
      const store = createDeliveriesStore(db);
      await webhooks.insert(newWebhook('w1'));
      await store.insertMany(Array.from({ length: 30 }, (_, i) => delivery(`d${i}`)));
      const claim = (owner: string, now: number) => store.claimDue({ owner, now, leaseUntil: now + 1000, candidates: 100, excludeWebhookIds: [], limits: everything });
      const [a, b] = await Promise.all([claim('a', 1000), claim('b', 1000)]);
      const aIds = new Set(a.map((d) => d.id));
      assert.equal(a.length + b.length, 30, 'every due delivery went to exactly one claimer');
      assert.deepEqual(b.filter((d) => aIds.has(d.id)), []);
      assert.ok(a.every((d) => d.claimedUntil === 2000));
      assert.deepEqual(await claim('c', 1500), [], 'nothing is claimed again while leased');

      const renewed = await store.renewClaims('a', 5000);
      assert.deepEqual(renewed.sort(), [...aIds].sort(), 'a renews exactly its own');
      await store.releaseClaims(b.map((d) => d.id), 'a');
      assert.deepEqual(await claim('c', 1500), [], "a cannot release b's claims");
      const taken = await claim('c', 2500);
      assert.deepEqual(taken.map((d) => d.id).sort(), b.map((d) => d.id).sort(), "b's expired leases are taken over; a's renewed ones are not");
      assert.deepEqual(await store.renewClaims('b', 9000), [], 'b learns it holds nothing any more');
      assert.equal(await store.releaseOwnClaims('a'), a.length);
      assert.deepEqual((await claim('d', 3000)).map((d) => d.id).sort(), [...aIds].sort(), "a's released claims are claimable at once");
    }));
}
