// The hooks directory: discovered at start, then watched and re-synced on change.
import type { HooksStore } from '../db/hooks-store.ts';
import type { HookDefinitions } from '../dispatch/hook-definition.ts';
import type { HookRegistry } from '../dispatch/hook-registry.ts';
import type { Logger } from '../log.ts';
import type { Compiler } from '../../runtime/index.ts';
import { syncHooksDir, type SyncReport } from './sync.ts';
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

  async function sync(): Promise<SyncReport> {
    const report = await syncHooksDir(deps);
    await deps.registry.reload();
    const changed = report.added.length + report.updated.length + report.removed.length + report.failed.length;
    if (changed > 0) deps.log.info({ dir: deps.dir, ...report }, 'hooks directory loaded');
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
          onChange: () => sync().then(() => undefined, (err: unknown) => deps.log.error({ err }, 'hooks directory sync failed')),
        });
      }
      return report;
    },
    async stop(): Promise<void> {
      await watcher?.stop();
    },
  };
}
