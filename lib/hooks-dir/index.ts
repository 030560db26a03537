// The hooks directory: discovered at start, then watched and re-synced on change.
import type { HooksStore } from '../db/hooks-store.ts';
import type { HookDefinitions } from '../dispatch/hook-definition.ts';
import type { HookRegistry } from '../dispatch/hook-registry.ts';
import type { Logger } from '../log.ts';
import type { Compiler } from '../../runtime/index.ts';
import { syncHooksDir, type SyncReport } from './sync.ts';
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

  async function sync(): Promise<SyncReport> {
    const report = await syncHooksDir(deps);
    await deps.registry.reload();
    const changed = report.added.length + report.updated.length + report.removed.length + report.failed.length;
    if (changed > 0) deps.log.info({ dir: deps.dir, ...report }, 'hooks directory loaded');
    unreadable.note(report.unreadable);
    return report;
  }

  return {
    sync,
    async start(): Promise<SyncReport> {
      const report = await sync();
      if (deps.watch) {
        watcher = watchHooksDir({
          dir: deps.dir,
          debounceMs: deps.debounceMs,
          readAll: report.unreadable.length === 0,
          onChange: () =>
            sync().then(
              (next) => next.unreadable.length === 0,
              (err: unknown) => {
                deps.log.error({ err }, 'hooks directory sync failed');
                return true; // not the directory's doing: the next change syncs again
              },
            ),
        });
        await watcher.ready; // started means watching: a change from now on is seen
      }
      return report;
    },
    async stop(): Promise<void> {
      await watcher?.stop();
    },
  };
}
