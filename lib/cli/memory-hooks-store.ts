// The part of the hooks store that the hooks-directory sync uses, in memory: lets `hookd check`
// run the daemon's own sync (same rules, same messages) without a database.
import type { HookFields, HookRecord, HooksStore } from '../db/hooks-store.ts';

export type SyncStore = Pick<HooksStore, 'list' | 'findByName' | 'insert' | 'update' | 'remove'>;

export function createMemoryHooksStore(): SyncStore & { records(): HookRecord[] } {
  const byId = new Map<string, HookRecord>();
  return {
    records: () => [...byId.values()],
    list: async () => [...byId.values()],
    findByName: async (name) => [...byId.values()].find((h) => h.name === name),
    async insert(id: string, fields: HookFields) {
      const record: HookRecord = { ...fields, id, version: 1, consecutiveFailures: 0, createdAt: 0, updatedAt: 0 };
      byId.set(id, record);
      return record;
    },
    async update(id: string, fields: Partial<HookFields>) {
      const before = byId.get(id);
      if (!before) return undefined;
      const record = { ...before, ...fields, version: before.version + 1 };
      byId.set(id, record);
      return record;
    },
    remove: async (id) => byId.delete(id),
  };
}
