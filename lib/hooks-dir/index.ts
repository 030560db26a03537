// The hooks directory: watched from before its first sync at start, re-synced on change.
import type { HooksStore } from '../db/hooks-store.ts';
import type { HookDefinitions } from '../dispatch/hook-definition.ts';
import type { HookRegistry } from '../dispatch/hook-registry.ts';
import type { Logger } from '../log.ts';
import type { Compiler } from '../../runtime/index.ts';
import { syncHooksDir, type NameClashes, type SyncReport } from './sync.ts';
import { createUnreadableLog } from './unreadable-log.ts';
import { watchHooksDir } from './watch.ts';

export { fileHookId, syncHooksDir, type SyncReport } from './sync.ts';
export { MAX_SCAN_ENTRIES, scanHooksDir } from './scan.ts';
export { makeHooksDir } from './make-dir.ts';

export interface HooksDirDeps {
  dir: string;
  watch: boolean;
  debounceMs: number;
  store: HooksStore;
  definitions: HookDefinitions;
  registry: HookRegistry;
  compiler: Pick<Compiler, 'readConfig'>;
  /** runtime.maxSourceSize: larger hook files are refused unread. */
  maxSourceBytes: number;
  log: Logger;
}

export function createHooksDir(deps: HooksDirDeps) {
  let watcher: ReturnType<typeof watchHooksDir> | undefined;
  const unreadable = createUnreadableLog({ dir: deps.dir, log: deps.log });
  const syncDeps = { ...deps, clashes: new Map() satisfies NameClashes };
  // One sync at a time, in call order (start's, the watcher's, a caller's): two at once would
  // both take a new file for new and insert it twice.
  let queue: Promise<unknown> = Promise.resolve();

  async function syncNow(): Promise<SyncReport> {
    const report = await syncHooksDir(syncDeps);
    await deps.registry.reload();
    const changed = report.added.length + report.updated.length + report.removed.length + report.failed.length;
    if (changed > 0) deps.log.info({ dir: deps.dir, ...report }, 'hooks directory loaded');
    unreadable.note(report.unreadable);
    return report;
  }

  function sync(): Promise<SyncReport> {
    const next = queue.then(syncNow);
    queue = next.catch(() => {}); // the caller hears of its failure; the next sync still runs
    return next;
  }

  return {
    sync,
    async start(): Promise<SyncReport> {
      if (deps.watch) {
        watcher = watchHooksDir({
          dir: deps.dir,
          debounceMs: deps.debounceMs,
          onChange: () =>
            sync().then(
              (next) => next.unreadable.length === 0,
              (err: unknown) => {
                deps.log.error({ err }, 'hooks directory sync failed');
                return true; // not the directory's doing: the next change syncs again
              },
            ),
        });
        // Watching before the first look: a change made until the watcher is ready is read by the
        // sync below, one made after is reported by the watcher. (Synced first, a change made
        // between that sync and the watcher's first look waited for some later change.)
        await watcher.ready;
      }
      try {
        const report = await sync();
        if (report.unreadable.length > 0) watcher?.retry();
        return report;
      } catch (err) {
        await watcher?.stop(); // not started: nothing left watching
        throw err;
      }
    },
    async stop(): Promise<void> {
      await watcher?.stop();
    },
  };
}
