// The event service on a real SQLite store (knex and migrations in a temp dir, no daemon):
// accepting and storing, idempotent ids, refusals, a waiting POST's filter chain, the payload
// at each stage, the events hookd raises with their causation, and its idle signal. Dispatch
// and the webhook outbox are the service's ports: here, small recorders of what they are told.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Knex } from 'knex';
import { createBus, type BusMessage } from '../../../lib/bus.ts';
import { createCatalog } from '../../../lib/catalog.ts';
import { migrateLatest, openDatabase } from '../../../lib/db/connect.ts';
import { createEventsStore, type EventRecord, type EventsStore, type NewEvent } from '../../../lib/db/events-store.ts';
import type { HookRecord } from '../../../lib/db/hooks-store.ts';
import { isHookdError } from '../../../lib/errors.ts';
import { createEventService, payloadAt, type AcceptResult, type DispatchPort, type EventService } from '../../../lib/events/index.ts';
import type { EmittedByRun } from '../../../lib/events/ports.ts';
import { createLogger } from '../../../lib/log.ts';
import { createLogSink } from '../../helpers/log-sink.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const catalog = createCatalog({
  'media.added': {
    kind: 'business',
    schema: { type: 'object', required: ['title'], properties: { title: { type: 'string', minLength: 1 } } },
  },
  'health.issue': { kind: 'business' },
  'hook.executed': { kind: 'business', meta: true },
  'download.progress': { kind: 'progress' },
});

interface Harness {
  service: EventService;
  store: EventsStore;
  db: Knex;
  /** Events handed to dispatch, in order. */
  submitted: EventRecord[];
  /** What the outbox was asked to enqueue: event id and payload. */
  enqueued: Array<{ id: string; payload: unknown }>;
  /** Business events the live views were told of. */
  live: BusMessage[];
  progress: unknown[];
  chainRuns: string[];
}

interface Options {
  actionHooks?: boolean;
  filterHooks?: boolean;
  /** What the fake filter chain does to a payload. */
  filter?: (payload: unknown) => unknown;
  /** Whether the outbox says a webhook wants hook.executed. */
  storeExecuted?: boolean;
  /** What the fake chain's hooks emitted (dispatch's runFilterChain answers it as `emits`). */
  emits?: EmittedByRun[];
}

async function withService(options: Options, run: (h: Harness) => Promise<void>): Promise<void> {
  const temp = makeTempDir();
  const db = openDatabase({ file: join(temp.dir, 'events.sqlite'), synchronous: 'normal' });
  const bus = createBus();
  const h = { submitted: [], enqueued: [], live: [], progress: [], chainRuns: [] } as unknown as Harness;
  bus.on('message', (m) => void (m.channel === 'event' && h.live.push(m)));
  const dispatch: DispatchPort = {
    hasActionHooks: () => options.actionHooks ?? false,
    hasFilterHooks: () => options.filterHooks ?? false,
    runFilterChain: async (event: NewEvent) => {
      h.chainRuns.push(event.id);
      const payload = (options.filter ?? ((p) => p))(event.payload);
      return {
        output: { payload, changed: JSON.stringify(payload) !== JSON.stringify(event.payload), results: [] },
        // The chain's records commit with the event: here, a row proving the transaction is shared.
        also: async (trx) => void (await trx.raw('select 1')),
        emits: options.emits ?? [],
      };
    },
    submit: (events) => void h.submitted.push(...events),
  };
  try {
    await migrateLatest(db);
    h.db = db;
    h.store = createEventsStore(db);
    h.service = createEventService({
      db,
      store: h.store,
      catalog,
      bus,
      log: createLogger({ level: 'silent', pretty: false, destination: createLogSink().stream }),
      outbox: {
        enqueueDeliveries: async (_trx, items) => void h.enqueued.push(...items.map(({ event, payload }) => ({ id: event.id, payload }))),
        subscribes: async (type) => type !== 'hook.executed' || options.storeExecuted === true,
      },
      dispatch,
      progress: { publish: (item) => void h.progress.push(item.payload), maxBytes: 1024 },
      emits: { maxDepth: 2, payloadLimits: { maxDepth: 16, maxBytes: 10_000 } },
    });
    await run(h);
    await h.service.close();
  } finally {
    await db.destroy();
    temp.remove();
  }
}

const business = (r: AcceptResult | undefined) => {
  assert.equal(r?.kind, 'business', `not stored: ${JSON.stringify(r)}`);
  return r as Extract<AcceptResult, { kind: 'business' }>;
};

describe('accepting a posted event', () => {
  test('a checked event is stored, shown live and handed to dispatch as pending when an action hook wants it', async () => {
    await withService({ actionHooks: true }, async (h) => {
      const item = h.service.check({ type: 'media.added', payload: { title: 'Dune' } }, 'tester');
      const stored = business((await h.service.accept([item]))[0]);
      assert.equal(stored.created, true);
      assert.equal(stored.event.status, 'pending');
      const row = await h.store.get(stored.event.id);
      assert.deepEqual(row?.payload, { title: 'Dune' });
      assert.equal(row?.source, 'tester');
      assert.deepEqual(h.submitted.map((e) => e.id), [stored.event.id]);
      assert.deepEqual(h.live.map((m) => m.id), [stored.event.id]);
    });
  });

  test('an event no action hook wants is done as soon as it is stored', async () => {
    await withService({ actionHooks: false }, async (h) => {
      const stored = business((await h.service.accept([h.service.check({ type: 'health.issue', payload: {} }, 'tester')]))[0]);
      assert.equal((await h.store.get(stored.event.id))?.status, 'done');
    });
  });

  test('a progress event is published live, never stored', async () => {
    await withService({}, async (h) => {
      const [result] = await h.service.accept([h.service.check({ type: 'download.progress', payload: { pct: 5 } }, 'tester')]);
      assert.deepEqual(result, { kind: 'progress', type: 'download.progress' });
      assert.deepEqual(h.progress, [{ pct: 5 }]);
      assert.equal((await h.store.list({ limit: 10 })).length, 0);
    });
  });

  test('the same client id again answers the stored event: nothing new is stored, shown or dispatched', async () => {
    await withService({ actionHooks: true }, async (h) => {
      const post = (title: string) => h.service.check({ type: 'media.added', id: 'order-1', payload: { title } }, 'tester');
      const first = business((await h.service.accept([post('Dune')]))[0]);
      const again = business((await h.service.accept([post('Other')]))[0]);
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.deepEqual(again.event.payload, { title: 'Dune' }, 'the first payload stays');
      assert.equal((await h.store.list({ limit: 10 })).length, 1);
      assert.equal(h.submitted.length, 1);
      assert.equal(h.live.length, 1);
    });
  });
});

describe('refusals', () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (err) {
      assert.ok(isHookdError(err), `not a HookdError: ${String(err)}`);
      return err as { code: string; message: string; details?: { pointer?: string; problems?: Array<{ pointer: string }> } };
    }
    assert.fail('accepted');
  };

  test('a body that is not an event is a VALIDATION error naming the field and where it is', async () => {
    await withService({}, async (h) => {
      const unknownField = refusal(() => h.service.check({ type: 'media.added', payload: {}, colour: 'red' }, 'tester', '/3'));
      assert.equal(unknownField.code, 'VALIDATION');
      assert.match(unknownField.message, /unknown field "colour"/);
      assert.equal(unknownField.details?.pointer, '/3/colour');
      const noType = refusal(() => h.service.check({ payload: {} }, 'tester'));
      assert.equal(noType.code, 'VALIDATION');
      assert.equal(noType.details?.pointer, '/type');
    });
  });

  test("a payload its type's schema refuses is SCHEMA_VIOLATION with the payload's pointer; nothing is stored", async () => {
    await withService({}, async (h) => {
      const err = refusal(() => h.service.check({ type: 'media.added', payload: { title: '' } }, 'tester', '/0'));
      assert.equal(err.code, 'SCHEMA_VIOLATION');
      assert.match(err.message, /schema of "media\.added"/);
      assert.deepEqual(err.details?.problems?.map((p) => p.pointer), ['/0/payload/title']);
      assert.equal((await h.store.list({ limit: 10 })).length, 0);
    });
  });

  test("hookd's own event types cannot be posted", async () => {
    await withService({}, async (h) => {
      assert.equal(refusal(() => h.service.check({ type: 'hook.executed', payload: {} }, 'tester')).code, 'UNPROCESSABLE');
    });
  });
});

describe('a waiting POST', () => {
  const upper = (p: unknown) => ({ title: String((p as { title: string }).title).toUpperCase() });

  test('runs the filter chain before storing: stored once, with the final payload, and answered with the output', async () => {
    await withService({ actionHooks: true, filterHooks: true, filter: upper }, async (h) => {
      const item = h.service.check({ type: 'media.added', payload: { title: 'dune' } }, 'tester', '', { wait: true });
      assert.equal(item.kind === 'business' && item.filterFirst, true, 'marked to run its chain first');
      const stored = business((await h.service.accept([item]))[0]);
      assert.deepEqual(stored.output, { payload: { title: 'DUNE' }, changed: true, results: [] });
      assert.equal(stored.event.status, 'pending', 'what it waits for after the chain');
      const row = await h.store.get(stored.event.id);
      assert.deepEqual(row?.payload, { title: 'dune' });
      assert.deepEqual(row?.finalPayload, { title: 'DUNE' });
      assert.deepEqual(h.submitted.map((e) => e.id), [stored.event.id]);
    });
  });

  test("what the chain's hooks emitted commits with the event, right after it, and is announced with it; a repeated id raises nothing", async () => {
    const emits: EmittedByRun[] = [
      { hook: { id: 'h1', name: 'first' }, emitted: [{ type: 'health.issue', payload: { n: 1 } }, { type: 'nope.unknown', payload: {} }] },
      { hook: { id: 'h2', name: 'second' }, emitted: [{ type: 'health.issue', payload: { n: 2 } }] },
    ];
    await withService({ filterHooks: true, emits }, async (h) => {
      const post = (id: string) => h.service.check({ type: 'media.added', id, payload: { title: 'dune' } }, 'tester', '', { wait: true });
      const parent = business((await h.service.accept([post('p-1')]))[0]).event;
      // No background write is left: the POST's answer comes after the one commit.
      assert.equal(h.service.busy(), false);
      const all = await h.store.list({ limit: 10 });
      const children = all.filter((e) => e.causationId === parent.id).sort((a, b) => a.seq - b.seq);
      assert.deepEqual(children.map((e) => [e.type, e.payload, e.depth, e.emittedBy, e.source]), [
        ['health.issue', { n: 1 }, 1, ['h1'], 'hook:first'],
        ['health.issue', { n: 2 }, 1, ['h2'], 'hook:second'],
      ]);
      assert.ok(children.every((c) => c.seq > parent.seq), 'stored after the event they came from');
      assert.deepEqual(h.submitted.map((e) => e.id), [parent.id, ...children.map((c) => c.id)], 'handed to dispatch with it');
      // The same id again: the stored event answers, its chain does not run, nothing more is raised.
      const again = business((await h.service.accept([post('p-1')]))[0]);
      assert.equal(again.created, false);
      assert.equal((await h.store.list({ limit: 10 })).length, all.length);
    });
  });

  test('without a filter hook the event does not wait; with a known id the chain does not run again', async () => {
    await withService({ filterHooks: false }, async (h) => {
      const item = h.service.check({ type: 'media.added', payload: { title: 'x' } }, 'tester', '', { wait: true });
      assert.equal(item.kind === 'business' && item.event.status, 'done');
    });
    await withService({ filterHooks: true, filter: upper }, async (h) => {
      const post = () => h.service.check({ type: 'media.added', id: 'w-1', payload: { title: 'dune' } }, 'tester', '', { wait: true });
      business((await h.service.accept([post()]))[0]);
      const again = business((await h.service.accept([post()]))[0]);
      assert.equal(again.created, false);
      assert.equal(again.output, undefined);
      assert.equal(h.chainRuns.length, 1);
    });
  });

  test('a failing chain fails its own item only; the batch around it is stored', async () => {
    await withService({ filterHooks: true, filter: () => { throw new Error('chain broke'); } }, async (h) => {
      const results = await h.service.accept([
        h.service.check({ type: 'media.added', payload: { title: 'a' } }, 'tester', '/0', { wait: true }),
        h.service.check({ type: 'health.issue', payload: {} }, 'tester', '/1'),
      ]);
      assert.equal(results[0]?.kind, 'failed');
      assert.equal(business(results[1]).created, true);
    });
  });
});

describe('the payload at each stage', () => {
  test('received is as posted; final is the filtered one when a chain ran, else as received', () => {
    const cases: Array<[{ payload: unknown; finalPayload?: unknown }, unknown, unknown]> = [
      [{ payload: { a: 1 } }, { a: 1 }, { a: 1 }],
      [{ payload: { a: 1 }, finalPayload: { a: 2 } }, { a: 1 }, { a: 2 }],
      [{ payload: { a: 1 }, finalPayload: null }, { a: 1 }, null],
    ];
    for (const [event, received, final] of cases) {
      assert.deepEqual(payloadAt(event, 'received'), received);
      assert.deepEqual(payloadAt(event, 'final'), final);
    }
  });

  test('live views, the outbox and dispatch all get the final payload of a filtered event', async () => {
    await withService({ actionHooks: true, filterHooks: true, filter: () => ({ title: 'Filtered' }) }, async (h) => {
      const item = h.service.check({ type: 'media.added', payload: { title: 'posted' } }, 'tester', '', { wait: true });
      const stored = business((await h.service.accept([item]))[0]);
      const final = { title: 'Filtered' };
      assert.deepEqual(h.live.map((m) => m.data), [final]);
      assert.deepEqual(h.enqueued, [{ id: stored.event.id, payload: final }]);
      assert.deepEqual(payloadAt(h.submitted[0]!, 'final'), final);
      assert.deepEqual(payloadAt((await h.store.get(stored.event.id))!, 'final'), final);
    });
  });
});

describe('events hookd raises itself', () => {
  test('raiseAll stores events in one commit, each naming its cause; an unknown type stores none', async () => {
    await withService({}, async (h) => {
      const rawId = '0f8fad5b-d9cb-469f-a165-70867728950e';
      const [raw, derived] = await h.service.raiseAll([
        { id: rawId, type: 'health.issue', payload: { body: 1 }, source: 'integration' },
        { type: 'media.added', payload: { title: 'not checked' }, source: 'integration', causationId: rawId, depth: 1 },
      ]);
      assert.equal(raw?.event.id, rawId);
      const stored = await h.store.get(derived!.event.id);
      assert.equal(stored?.causationId, rawId);
      assert.equal(stored?.depth, 1);
      await assert.rejects(
        h.service.raiseAll([{ type: 'health.issue', payload: {}, source: 'x' }, { type: 'no.such', payload: {}, source: 'x' }]),
        (err: unknown) => isHookdError(err) && (err as { code: string }).code === 'UNKNOWN_EVENT_TYPE',
      );
      assert.equal((await h.store.list({ limit: 10 })).length, 2);
    });
  });

  test("a hook run's emitted events are raised with its event as their cause, one level deeper, and idle() waits for them", async () => {
    await withService({ storeExecuted: true }, async (h) => {
      const [parent] = await h.service.raiseAll([{ type: 'health.issue', payload: {}, source: 'tester' }]);
      const hook = { id: 'h1', name: 'emitter', version: 1 } as HookRecord;
      h.service.hookRan(
        { hook, status: 'ok', outcome: { status: 'ok', logs: [], durationMs: 1, emitted: [{ type: 'health.issue', payload: { message: 'child' } }] } },
        { id: parent!.event.id, type: 'health.issue', occurredAt: parent!.event.occurredAt, payload: {} },
        { mode: 'action' },
      );
      assert.equal(h.service.busy(), true, 'the writes are tracked while in flight');
      await h.service.idle();
      assert.equal(h.service.busy(), false);
      const raised = (await h.store.list({ limit: 10 })).filter((e) => e.causationId === parent!.event.id);
      const child = raised.find((e) => e.type === 'health.issue');
      assert.deepEqual(child?.payload, { message: 'child' });
      assert.equal(child?.depth, 1);
      assert.deepEqual(child?.emittedBy, ['h1']);
      assert.equal(child?.source, 'hook:emitter');
      const notice = raised.find((e) => e.type === 'hook.executed');
      assert.equal((notice?.payload as { status?: string }).status, 'ok', 'hook.executed is stored when a webhook wants it');
    });
  });

  test('emits past hooks.maxEmitDepth are dropped; a dry run raises nothing', async () => {
    await withService({ storeExecuted: true }, async (h) => {
      const [deep] = await h.service.raiseAll([{ type: 'health.issue', payload: {}, source: 'tester', depth: 2 }]);
      const hook = { id: 'h1', name: 'emitter', version: 1 } as HookRecord;
      const run = { hook, status: 'ok' as const, outcome: { status: 'ok' as const, logs: [], durationMs: 1, emitted: [{ type: 'health.issue', payload: {} }] } };
      const event = { id: deep!.event.id, type: 'health.issue', occurredAt: deep!.event.occurredAt, payload: {} };
      h.service.hookRan(run, event, { mode: 'action', dryRun: true });
      assert.equal(h.service.busy(), false);
      h.service.hookRan(run, event, { mode: 'action' });
      await h.service.idle();
      const raised = (await h.store.list({ limit: 10 })).filter((e) => e.causationId === deep!.event.id);
      assert.deepEqual(raised.map((e) => e.type), ['hook.executed']);
    });
  });
});
