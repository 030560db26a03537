// Watches the hooks directory (chokidar) and re-syncs, debounced, when files change. While a
// sync could not read everything, it retries (1 s, doubling up to a minute): chokidar drops a
// directory it can no longer read, so no event says it is back; once it reads, a new watcher
// replaces the blind one. Side effect: a file watcher and timers, ended by the returned stop().
import { basename } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 60_000;

/** `onChange` resolves to whether the sync read everything (false: retry later). */
export function watchHooksDir(deps: { dir: string; debounceMs: number; onChange: () => Promise<boolean> }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let retryMs = 0; // 0: the last sync read everything
  let stopped = false;

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(run, deps.debounceMs);
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true; // a change during a sync: sync once more afterwards
      return;
    }
    running = deps.onChange().then(settle).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        schedule();
      }
    });
  }

  async function settle(readAll: boolean): Promise<void> {
    if (!readAll) {
      retryMs = retryMs === 0 ? RETRY_FIRST_MS : Math.min(retryMs * 2, RETRY_MAX_MS);
      clearTimeout(timer);
      timer = setTimeout(run, retryMs);
      return;
    }
    if (retryMs === 0 || stopped) return;
    retryMs = 0;
    await watcher.close();
    if (stopped) return;
    watcher = open();
    // What changed between the sync that read again and this watcher's first look is seen by one more.
    watcher.once('ready', schedule);
  }

  // The two levels the scan reads, and no symlink followed: a link to "/" or a loop would make
  // the watcher walk (and stat) far outside the directory. Hidden and `_` entries are no hooks.
  function open(): FSWatcher {
    const opened = watch(deps.dir, {
      ignoreInitial: true,
      depth: 1,
      followSymlinks: false,
      ignored: (path) => path !== deps.dir && /^[._]|^node_modules$/.test(basename(path)),
    });
    opened.on('all', schedule);
    // A folder it may not read (EACCES): unhandled, the 'error' event would end the daemon.
    opened.on('error', schedule);
    return opened;
  }

  let watcher = open();
  return {
    /** Resolves once the watcher has looked at the directory: a change from then on is seen. */
    ready: new Promise<void>((resolve) => watcher.once('ready', resolve)),
    /** A sync made outside the watcher (the first, once it is ready) could not read everything: retry as after one of its own. */
    retry(): void {
      if (!stopped && retryMs === 0) void settle(false); // only arms the retry (unless armed already): nothing to await
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await watcher.close();
      await running;
      await watcher.close(); // the one a running sync may have opened
    },
  };
}
