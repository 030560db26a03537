// The pending-event dispatcher over the real events table, with the action hooks replaced by a
// recording port: each pending event runs once with its final payload and is then marked
// done; concurrency is bounded; what a stop leaves queued stays pending for the next start.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createEventsStore, type EventRecord, type EventsStore, type NewEvent } from '../../../lib/db/events-store.ts';
import { createDispatcher } from '../../../lib/dispatch/dispatcher.ts';
import { createTestLogger, openTestDb } from '../../helpers/unit-parts.ts';

function newEvent(over: Partial<NewEvent> = {}): NewEvent {
  return { id: randomUUID(), generatedId: true, type: 'media.added', payload: { n: 0 }, status: 'pending', occurredAt: new Date().toISOString(), receivedAt: Date.now(), source: 'test', causationId: null, depth: 0, ...over };
}

async function withDispatcher(
  concurrency: number,
  runActions: (event: EventRecord, payload: unknown) => Promise<void>,
  body: (parts: { dispatcher: ReturnType<typeof createDispatcher>; events: EventsStore; logs: () => string; insert: (e: NewEvent[]) => Promise<EventRecord[]> }) => Promise<void>,
) {
  const t = await openTestDb();
  const { log, sink } = createTestLogger();
  const events = createEventsStore(t.db);
  const stopping = new AbortController();
  const dispatcher = createDispatcher({ db: t.db, events, log, concurrency, runActions, stopSignal: stopping.signal });
  const insert = async (list: NewEvent[]) => (await events.insertGenerated(list)).map((r) => r.event);
  try {
    await body({ dispatcher, events, logs: () => sink.text(), insert });
  } finally {
    stopping.abort();
    await dispatcher.stop();
    await t.close();
  }
}

const statusOf = async (events: EventsStore, id: string) => (await events.get(id))?.status;

test('a submitted pending event runs once, with its final payload, and is marked done', async () => {
  const runs: Array<[string, unknown]> = [];
  await withDispatcher(2, async (e, payload) => void runs.push([e.id, payload]), async ({ dispatcher, events, insert }) => {
    const [plain, filtered] = await insert([newEvent({ payload: { n: 1 } }), newEvent({ payload: { n: 2 }, finalPayload: { n: 20 } })]);
    dispatcher.submit([plain!, filtered!]);
    dispatcher.submit([plain!]); // already queued: not run twice
    await dispatcher.idle();
    await dispatcher.stop(); // drains the done-marks
    assert.deepEqual(runs.sort(), [[plain!.id, { n: 1 }], [filtered!.id, { n: 20 }]].sort());
    assert.equal(await statusOf(events, plain!.id), 'done');
    assert.equal(await statusOf(events, filtered!.id), 'done');
  });
});

test('an event that is not pending is never run', async () => {
  let runs = 0;
  await withDispatcher(1, async () => void runs++, async ({ dispatcher, insert }) => {
    const [done] = await insert([newEvent({ status: 'done' })]);
    dispatcher.submit([done!]);
    await dispatcher.idle();
    assert.equal(runs, 0);
  });
});

test('start dispatches what an earlier run left pending, each event once', async () => {
  const runs: string[] = [];
  await withDispatcher(3, async (e) => void runs.push(e.id), async ({ dispatcher, insert }) => {
    const left = await insert(Array.from({ length: 7 }, () => newEvent()));
    dispatcher.start();
    dispatcher.submit(left.slice(0, 2)); // also handed over in memory meanwhile
    await dispatcher.idle();
    assert.deepEqual([...runs].sort(), left.map((e) => e.id).sort());
  });
});

test('no more events run at once than the concurrency allows', async () => {
  let running = 0;
  let most = 0;
  const gates: Array<() => void> = [];
  await withDispatcher(2, async () => {
    running++;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
  }, async ({ dispatcher, insert }) => {
    dispatcher.submit(await insert(Array.from({ length: 5 }, () => newEvent())));
    const idle = dispatcher.idle();
    // Release one run at a time; each release lets the next queued event start.
    for (let released = 0; released < 5; released++) {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      assert.ok(running <= 2);
      gates.shift()!();
    }
    await idle;
    assert.equal(most, 2);
  });
});

test('a stop finishes what is in flight; the queued events stay pending', async () => {
  let release!: () => void;
  const started: string[] = [];
  await withDispatcher(1, async (e) => {
    started.push(e.id);
    await new Promise<void>((resolve) => (release = resolve));
  }, async ({ dispatcher, events, insert }) => {
    const [first, second] = await insert([newEvent(), newEvent()]);
    dispatcher.submit([first!, second!]);
    while (started.length === 0) await new Promise((r) => setImmediate(r));
    const stopped = dispatcher.stop();
    release();
    await stopped;
    assert.deepEqual(started, [first!.id]);
    assert.equal(await statusOf(events, first!.id), 'done');
    assert.equal(await statusOf(events, second!.id), 'pending');
  });
});

test('actions that throw leave the event pending and are logged', async () => {
  await withDispatcher(1, async () => {
    throw new Error('runner broke');
  }, async ({ dispatcher, events, logs, insert }) => {
    const [e] = await insert([newEvent()]);
    dispatcher.submit([e!]);
    await dispatcher.idle();
    assert.equal(await statusOf(events, e!.id), 'pending');
    assert.match(logs(), /dispatch failed; the event stays pending/);
  });
});
