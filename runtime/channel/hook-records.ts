// Compiled hook records cross the daemon -> host channel once per host: the daemon remembers
// which it sent to the current host, the host keeps them in an LRU cache; a call whose record
// the host lacks (evicted, or a new host) comes back as `miss` and is sent again with it.
import type { CompiledHook, HookRef } from '../protocol.ts';

export const HOST_RECORD_CACHE_ENTRIES = 512;

function keyOf(hook: { hash: string; filename: string }): string {
  return `${hook.hash}\0${hook.filename}`;
}

/** Daemon side: what the current host was sent. Reset when a new host starts. */
export function createSentRecords() {
  let sent = new Set<string>();
  return {
    /** The reference to put on the wire: with the record unless this host already has it. */
    refFor(hook: CompiledHook, forceRecord: boolean): HookRef {
      const key = keyOf(hook);
      if (!forceRecord && sent.has(key)) return { hash: hook.hash, filename: hook.filename };
      // Bounded like the host's cache; forgetting only costs sending a record again.
      if (sent.size >= HOST_RECORD_CACHE_ENTRIES) sent = new Set();
      sent.add(key);
      return hook;
    },
    reset() {
      sent = new Set();
    },
  };
}

/** Host side: records by hash and filename, least recently used evicted first. */
export function createRecordCache(maxEntries = HOST_RECORD_CACHE_ENTRIES) {
  const records = new Map<string, CompiledHook>();
  return {
    /** The full hook for a reference, storing it when the record came along; undefined = miss. */
    resolve(ref: HookRef): CompiledHook | undefined {
      const key = keyOf(ref);
      let hook = records.get(key);
      if (ref.record !== undefined) hook = { hash: ref.hash, filename: ref.filename, record: ref.record };
      if (!hook) return undefined;
      records.delete(key);
      records.set(key, hook);
      if (records.size > maxEntries) records.delete(records.keys().next().value as string);
      return hook;
    },
  };
}
