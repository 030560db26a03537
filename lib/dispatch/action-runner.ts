// Action hooks: after an event is stored and filtered, every action hook subscribed to its
// type runs with the final payload, concurrently but within one daemon-wide limit.
import type { EventRecord } from '../db/events-store.ts';
import type { Limiter } from '../limiter.ts';
import type { HookRegistry } from './hook-registry.ts';
import type { Invoker } from './invoke.ts';

export function createActionRunner(deps: { registry: HookRegistry; invoker: Invoker; limiter: Limiter }) {
  return async function runActions(event: EventRecord, payload: unknown): Promise<void> {
    // A hook never receives an event it caused itself (ctx.emit), however deep the chain.
    const hooks = deps.registry.forEvent(event.type, 'action').filter((h) => !event.emittedBy.includes(h.id));
    const hookEvent = { id: event.id, type: event.type, occurredAt: event.occurredAt, payload };
    // invoke() never throws: one failing hook cannot stop the others or the event.
    await Promise.all(hooks.map((hook) => deps.limiter.run(() => deps.invoker.invoke(hook, hookEvent, { mode: 'action' }))));
  };
}
