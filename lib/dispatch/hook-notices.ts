// What follows a recorded hook run: a hook.executed notice on the bus (and stored for the
// webhooks that subscribe to it), and the business events the hook emitted, dispatched with
// their causation chain. A depth limit stops emit loops; the chain's emitters never receive
// the events they caused.
import type { Bus } from '../bus.ts';
import type { EventRecord, EventsStore } from '../db/events-store.ts';
import type { Logger } from '../log.ts';
import type { HookEvent } from '../../runtime/index.ts';
import type { Invocation, InvokeOptions } from './invoke.ts';

export interface NoticesDeps {
  bus: Bus;
  events: EventsStore;
  log: Logger;
  maxEmitDepth: number;
  record: (input: { type: string; payload: unknown; source: string; causationId: string; depth: number; emittedBy: string[] }) => Promise<EventRecord>;
  /** Whether any webhook wants hook.executed: only then is it stored. */
  storeExecuted: () => Promise<boolean>;
}

export function createHookNotices(deps: NoticesDeps) {
  async function raiseEmitted(invocation: Invocation, event: HookEvent): Promise<void> {
    const emitted = invocation.outcome.emitted ?? [];
    if (emitted.length === 0) return;
    const parent = await deps.events.get(event.id);
    const depth = (parent?.depth ?? 0) + 1;
    if (depth > deps.maxEmitDepth) {
      deps.log.warn(
        { hook: invocation.hook.name, eventId: event.id, depth, dropped: emitted.map((e) => e.type) },
        `emitted events dropped: the causation chain would be ${depth} deep (hooks.maxEmitDepth is ${deps.maxEmitDepth})`,
      );
      return;
    }
    const emittedBy = [...(parent?.emittedBy ?? []), invocation.hook.id];
    for (const e of emitted) {
      await deps.record({ type: e.type, payload: e.payload, source: `hook:${invocation.hook.name}`, causationId: event.id, depth, emittedBy });
    }
  }

  return function onInvoked(invocation: Invocation, event: HookEvent, options: InvokeOptions): void {
    if (options.dryRun) return;
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
    void (async () => {
      if (await deps.storeExecuted()) await deps.record({ type: 'hook.executed', payload: notice, source: 'hookd', causationId: event.id, depth: 0, emittedBy: [] });
      await raiseEmitted(invocation, event);
    })().catch((err: unknown) => deps.log.error({ err, hook: hook.name, eventId: event.id }, 'could not raise what a hook run emitted'));
  };
}
