// The hooks that run for an event type, in order: an in-memory index of the enabled hooks,
// rebuilt from the store after every change, so dispatch never queries for them.
import type { HookRecord, HooksStore } from '../db/hooks-store.ts';
import { compilePatterns, type EventPattern } from '../event-pattern.ts';

// hook.executed would let a hook trigger itself forever: it reaches webhooks and streams only.
const NEVER_TO_HOOKS = new Set(['hook.executed']);

export interface HookRegistry {
  /** Reloads from the store; call after any change to the hooks table. */
  reload(): Promise<void>;
  /** Enabled hooks of a mode subscribed to a type, by priority then name. */
  forEvent(type: string, mode: 'filter' | 'action'): HookRecord[];
  hasActionHooks(type: string): boolean;
  get(id: string): HookRecord | undefined;
}

export function createHookRegistry(deps: { store: HooksStore }): HookRegistry {
  let hooks: Array<{ hook: HookRecord; matches: EventPattern }> = [];
  // Per type and mode; cleared on reload. Types come from the catalog, so it stays small.
  let byType = new Map<string, HookRecord[]>();
  let byId = new Map<string, HookRecord>();

  function forEvent(type: string, mode: 'filter' | 'action'): HookRecord[] {
    if (NEVER_TO_HOOKS.has(type)) return [];
    const key = `${mode}\0${type}`;
    let list = byType.get(key);
    if (!list) {
      list = hooks
        .filter((h) => h.hook.enabled && h.hook.mode === mode && h.matches(type))
        .map((h) => h.hook)
        .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
      byType.set(key, list);
    }
    return list;
  }

  return {
    async reload() {
      const all = await deps.store.list();
      hooks = all.map((hook) => ({ hook, matches: compilePatterns(hook.events) }));
      byId = new Map(all.map((h) => [h.id, h]));
      byType = new Map();
    },
    forEvent,
    hasActionHooks: (type) => forEvent(type, 'action').length > 0,
    get: (id) => byId.get(id),
  };
}
