// The hook registry over the real hooks table: which enabled hooks run for a type, in what
// order, and that a change is seen only after reload; and the action runner built on it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHooksStore, type HookRecord, type HooksStore } from '../../../lib/db/hooks-store.ts';
import { createActionRunner } from '../../../lib/dispatch/action-runner.ts';
import { createHookRegistry, type HookRegistry } from '../../../lib/dispatch/hook-registry.ts';
import type { Invoker } from '../../../lib/dispatch/invoke.ts';
import type { EventRecord } from '../../../lib/db/events-store.ts';
import { createLimiter } from '../../../lib/limiter.ts';
import { hookFields, openTestDb, type TestDb } from '../../helpers/unit-parts.ts';

let t: TestDb;
let store: HooksStore;
let registry: HookRegistry;
before(async () => {
  t = await openTestDb();
  store = createHooksStore(t.db);
  registry = createHookRegistry({ store });
  await store.insert('a', hookFields({ name: 'b-late', events: ['media.*'], priority: 200 }));
  await store.insert('b', hookFields({ name: 'a-early', events: ['media.added'], priority: 10 }));
  await store.insert('c', hookFields({ name: 'z-same', events: ['*'], priority: 100 }));
  await store.insert('d', hookFields({ name: 'y-same', events: ['media.added'], priority: 100 }));
  await store.insert('e', hookFields({ name: 'off', events: ['*'], enabled: false }));
  await store.insert('f', hookFields({ name: 'filter', events: ['*'], mode: 'filter' }));
  await registry.reload();
});
after(() => t.close());

const names = (hooks: HookRecord[]) => hooks.map((h) => h.name);

describe('the hook registry', () => {
  const cases: Array<[string, 'filter' | 'action', string[]]> = [
    ['media.added', 'action', ['a-early', 'y-same', 'z-same', 'b-late']],
    ['media.updated', 'action', ['z-same', 'b-late']],
    ['download.completed', 'action', ['z-same']],
    ['media.added', 'filter', ['filter']],
    // hook.executed reaches webhooks and streams only: a catch-all hook would trigger itself forever.
    ['hook.executed', 'action', []],
    ['hook.executed', 'filter', []],
  ];
  for (const [type, mode, expected] of cases) {
    test(`${mode} hooks for ${type}: enabled ones, by priority then name`, () => {
      assert.deepEqual(names(registry.forEvent(type, mode)), expected);
    });
  }

  test('hasActionHooks and get follow the same index', () => {
    assert.equal(registry.hasActionHooks('media.added'), true);
    assert.equal(registry.hasActionHooks('hook.executed'), false);
    assert.equal(registry.get('e')?.name, 'off', 'a disabled hook is still known by id');
    assert.equal(registry.get('nope'), undefined);
  });

  test('a change to the table is seen after reload, not before', async () => {
    await store.update('e', { enabled: true });
    assert.ok(!names(registry.forEvent('media.added', 'action')).includes('off'), 'the cached answer stands until reload');
    await registry.reload();
    assert.ok(names(registry.forEvent('media.added', 'action')).includes('off'));
    await store.update('e', { enabled: false });
    await registry.reload();
  });
});

describe('the action runner', () => {
  function event(over: Partial<EventRecord> = {}): EventRecord {
    return { seq: 1, id: 'ev1', type: 'media.added', payload: { title: 'raw' }, finalPayload: undefined, status: 'pending', occurredAt: '2026-01-01T00:00:00.000Z', receivedAt: 0, source: null, causationId: null, depth: 0, emittedBy: [], ...over };
  }
  function recordingInvoker(failing = new Set<string>()) {
    const calls: Array<{ hook: string; payload: unknown; mode: string }> = [];
    const invoker = {
      async invoke(hook: HookRecord, e: { payload: unknown }, options: { mode: string }) {
        calls.push({ hook: hook.name, payload: e.payload, mode: options.mode });
        // invoke() never throws; a failure is an outcome.
        return { hook, status: failing.has(hook.name) ? 'error' : 'ok', outcome: { status: 'ok', logs: [], durationMs: 0 } };
      },
      drain: async () => {},
    } as unknown as Invoker;
    return { invoker, calls };
  }

  test('runs every action hook of the type with the payload it is given', async () => {
    const { invoker, calls } = recordingInvoker(new Set(['a-early']));
    await createActionRunner({ registry, invoker, limiter: createLimiter(2) })(event(), { title: 'final' });
    assert.deepEqual(calls.map((c) => c.hook).sort(), ['a-early', 'b-late', 'y-same', 'z-same']);
    assert.ok(calls.every((c) => c.mode === 'action' && (c.payload as { title: string }).title === 'final'));
  });

  test('skips the hooks that emitted along the event\'s causation chain', async () => {
    const { invoker, calls } = recordingInvoker();
    await createActionRunner({ registry, invoker, limiter: createLimiter(2) })(event({ emittedBy: ['c', 'b'] }), {});
    assert.deepEqual(calls.map((c) => c.hook).sort(), ['b-late', 'y-same']);
  });
});
