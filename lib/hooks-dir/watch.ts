// Watches the hooks directory (chokidar) and re-syncs, debounced, when files change.
// Side effect: a file watcher, closed by the returned stop().
import { basename } from 'node:path';
import { watch } from 'chokidar';

export function watchHooksDir(deps: { dir: string; debounceMs: number; onChange: () => Promise<void> }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(run, deps.debounceMs);
  }

  function run(): void {
    if (running) {
      again = true; // a change during a sync: sync once more afterwards
      return;
    }
    running = deps.onChange().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        schedule();
      }
    });
  }

  // The two levels the scan reads, and no symlink followed: a link to "/" or a loop would make
  // the watcher walk (and stat) far outside the directory. Hidden and `_` entries are no hooks.
  const watcher = watch(deps.dir, {
    ignoreInitial: true,
    depth: 1,
    followSymlinks: false,
    ignored: (path) => path !== deps.dir && /^[._]|^node_modules$/.test(basename(path)),
  });
  watcher.on('all', schedule);
  return {
    async stop(): Promise<void> {
      clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
