// The event service's guard on what a hook run emitted: a payload that is not bounded JSON data
// (whatever the sandbox host let through) is dropped with a logged reason; the rest are raised.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBus } from '../../../lib/bus.ts';
import type { EventRecord, EventsStore } from '../../../lib/db/events-store.ts';
import type { HookRecord } from '../../../lib/db/hooks-store.ts';
import { createTaskTracker } from '../../../lib/events/background.ts';
import { createHookNotices } from '../../../lib/events/hook-notices.ts';
import { createLogger } from '../../../lib/log.ts';
import { createLogSink } from '../../helpers/log-sink.ts';

test('emitted payloads too deep, too large or not JSON data are dropped and logged; the others are recorded', async () => {
  const sink = createLogSink();
  const recorded: Array<{ type: string; payload: unknown }> = [];
  let deep: unknown = 1;
  for (let i = 0; i < 3_000; i++) deep = [deep];
  const background = createTaskTracker();
  const onInvoked = createHookNotices({
    bus: createBus(),
    events: { get: async () => undefined } as unknown as EventsStore,
    log: createLogger({ level: 'debug', pretty: false, destination: sink.stream }),
    maxEmitDepth: 3,
    raise: async (input) => {
      recorded.push(input);
      return {} as EventRecord;
    },
    storeExecuted: async () => false,
    payloadLimits: { maxDepth: 64, maxBytes: 10_000 },
    stopSignal: new AbortController().signal,
    background,
  });
  const hook = { id: 'h1', name: 'emitter', version: 1 } as HookRecord;
  const emitted = [
    { type: 'health.issue', payload: { message: 'deep', deep } },
    { type: 'health.issue', payload: { message: 'big', text: 'x'.repeat(20_000) } },
    { type: 'health.issue', payload: { message: 'bigint', n: 1n } },
    { type: 'health.issue', payload: { message: 'fine' } },
  ];
  onInvoked(
    { hook, status: 'ok', outcome: { status: 'ok', logs: [], durationMs: 1, emitted } },
    { id: 'e1', type: 'media.added', occurredAt: new Date().toISOString(), payload: {} },
    { mode: 'action' },
  );
  assert.equal(background.size(), 1, 'the writes run in the background, tracked');
  await background.drain();
  assert.deepEqual(recorded.map((r) => r.payload), [{ message: 'fine' }]);
  const drops = sink.lines().filter((l) => /^an emitted event was dropped: /.test(String(l.msg)));
  assert.deepEqual(drops.map((l) => l.pointer), [`/deep${'/0'.repeat(63)}`, '/text', '/n']);
  assert.match(String(drops[0]!.msg), /deeper than 64 levels/);
  assert.match(String(drops[1]!.msg), /larger than 10000 bytes/);
  assert.match(String(drops[2]!.msg), /BigInt/);
});

test('a run answers only once what it emitted is stored: dispatch marks its event done after that', async () => {
  let store: () => void = () => {};
  const stored = new Promise<void>((resolve) => (store = resolve));
  const raised: string[] = [];
  const onInvoked = createHookNotices({
    bus: createBus(),
    events: { get: async () => undefined } as unknown as EventsStore,
    log: createLogger({ level: 'debug', pretty: false, destination: createLogSink().stream }),
    maxEmitDepth: 3,
    raise: async (input) => {
      await stored;
      raised.push(input.type);
      return {} as EventRecord;
    },
    storeExecuted: async () => false,
    payloadLimits: { maxDepth: 64, maxBytes: 10_000 },
    stopSignal: new AbortController().signal,
    background: createTaskTracker(),
  });
  const hook = { id: 'h1', name: 'emitter', version: 1 } as HookRecord;
  let answered = false;
  const run = onInvoked(
    { hook, status: 'ok', outcome: { status: 'ok', logs: [], durationMs: 1, emitted: [{ type: 'media.updated', payload: { title: 'x' } }] } },
    { id: 'e1', type: 'media.added', occurredAt: new Date().toISOString(), payload: {} },
    { mode: 'action' },
  ).then(() => (answered = true));
  // Everything the raise could do before the store answers has happened by the next macrotask.
  await new Promise((r) => setImmediate(r));
  assert.equal(answered, false, 'answered before the emitted event was stored');
  store();
  await run;
  assert.deepEqual(raised, ['media.updated']);
});
