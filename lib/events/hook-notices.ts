// What follows a recorded hook run: a hook.executed notice on the bus (and stored for the
// webhooks that subscribe to it), and the business events the hook emitted, raised with
// their causation chain. A depth limit stops emit loops; the chain's emitters never receive
// the events they caused. An emitted payload that is not bounded JSON data is dropped and
// logged; a storage failure is retried until it passes or the service closes. The writes run
// in the background but are tracked, so idle() and the stop see them; an action's dispatch
// waits for them (see onHookRun). A waiting filter chain's event is not stored yet: what its
// hooks emit is stored in that event's own commit (emittedEvents, used by the event service).
import type { Bus } from '../bus.ts';
import type { EventRecord, EventsStore } from '../db/events-store.ts';
import { retryOnStorageFailure } from '../db/storage-retry.ts';
import type { Invocation, InvokeOptions } from '../dispatch/invoke.ts';
import { toJsonData, type JsonLimits } from '../json-bounds.ts';
import type { Logger } from '../log.ts';
import type { HookEvent } from '../../runtime/index.ts';
import type { TaskTracker } from './background.ts';
import type { EmittedByRun, RaisedEvent } from './ports.ts';

export interface NoticesDeps {
  bus: Bus;
  events: Pick<EventsStore, 'get'>;
  log: Logger;
  maxEmitDepth: number;
  raise: (input: RaisedEvent) => Promise<EventRecord>;
  /** Whether any webhook wants hook.executed: only then is it stored. */
  storeExecuted: () => Promise<boolean>;
  /** Bounds of an emitted payload (events.maxDepth, runtime.maxResultSize). */
  payloadLimits: JsonLimits;
  /** Aborted when the service closes: storage retries end. */
  stopSignal: AbortSignal;
  background: TaskTracker;
}

export interface EmitRules {
  log: Logger;
  maxEmitDepth: number;
  payloadLimits: JsonLimits;
}

/**
 * A run's emits as events raised on its event's behalf: one level deeper, the run's hook added
 * to the emitters. Past the depth limit all are dropped, and a payload that is not bounded JSON
 * data is dropped alone; both logged.
 */
export function emittedEvents(rules: EmitRules, run: EmittedByRun, parent: { id: string; depth: number; emittedBy: readonly string[] }): RaisedEvent[] {
  const depth = parent.depth + 1;
  if (depth > rules.maxEmitDepth) {
    rules.log.warn(
      { hook: run.hook.name, eventId: parent.id, depth, dropped: run.emitted.map((e) => e.type) },
      `emitted events dropped: the causation chain would be ${depth} deep (hooks.maxEmitDepth is ${rules.maxEmitDepth})`,
    );
    return [];
  }
  const emittedBy = [...parent.emittedBy, run.hook.id];
  return run.emitted.flatMap((e) => {
    const payload = toJsonData(e.payload, rules.payloadLimits);
    if (payload.ok) return [{ type: e.type, payload: payload.value, source: `hook:${run.hook.name}`, causationId: parent.id, depth, emittedBy }];
    rules.log.warn({ hook: run.hook.name, eventId: parent.id, type: e.type, pointer: payload.pointer }, `an emitted event was dropped: ${payload.message}`);
    return [];
  });
}

export function createHookNotices(deps: NoticesDeps) {
  const raise = (input: RaisedEvent) =>
    retryOnStorageFailure(() => deps.raise(input), {
      signal: deps.stopSignal,
      onFailure: (err, attempt, retryInMs) => deps.log.warn({ err, type: input.type, causationId: input.causationId, attempt, retryInMs }, 'could not store an event raised by a hook run: storage failed; retrying'),
    });

  async function raiseEmitted(invocation: Invocation, event: HookEvent): Promise<void> {
    const emitted = invocation.outcome.emitted ?? [];
    if (emitted.length === 0) return;
    const parent = await deps.events.get(event.id);
    const raised = emittedEvents(deps, { hook: invocation.hook, emitted }, { id: event.id, depth: parent?.depth ?? 0, emittedBy: parent?.emittedBy ?? [] });
    for (const input of raised) await raise(input);
  }

  /**
   * Answers once what the run raised is stored (or given up: logged): dispatch marks an event
   * done only after that, or a kill -9 in between would lose the emits of a run never repeated.
   */
  return function onHookRun(invocation: Invocation, event: HookEvent, options: InvokeOptions): Promise<void> {
    if (options.dryRun) return Promise.resolve();
    const { hook, status, outcome } = invocation;
    const notice = {
      hook: { id: hook.id, name: hook.name, version: hook.version },
      mode: options.mode,
      eventId: event.id,
      eventType: event.type,
      status,
      durationMs: outcome.durationMs,
      ...(outcome.error ? { error: outcome.error.message } : {}),
    };
    deps.bus.emit('message', { channel: 'hook', type: 'hook.executed', data: notice, at: new Date().toISOString() });
    return deps.background.track(
      async () => {
        if (await deps.storeExecuted()) await raise({ type: 'hook.executed', payload: notice, source: 'hookd', causationId: event.id, depth: 0, emittedBy: [] });
        // A chain that collects its records (a waiting one) stores the emits with its event.
        if (!options.collect) await raiseEmitted(invocation, event);
      },
      (err) => deps.log.error({ err, hook: hook.name, eventId: event.id }, 'could not raise what a hook run emitted'),
    );
  };
}
