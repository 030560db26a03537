// Watches the hooks directory (chokidar) and re-syncs, debounced, when files change.
// Side effect: a file watcher, closed by the returned stop().
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

  const watcher = watch(deps.dir, { ignoreInitial: true, depth: 2 });
  watcher.on('all', schedule);
  return {
    async stop(): Promise<void> {
      clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
