// Retention: deletes what is older than the configured ages, so the database does not grow
// without bound. Each subsystem registers what it prunes; the daemon runs this on a timer
// (lib/daemon/pruning.ts).
import type { Logger } from './log.ts';

export interface PruneTask {
  name: string;
  /** Deletes rows older than its own configured age; returns how many went. */
  prune: (now: number) => Promise<number>;
}

export function createPruner(deps: { tasks: PruneTask[]; log: Logger }) {
  return {
    async pruneOnce(now = Date.now()): Promise<Record<string, number>> {
      const counts: Record<string, number> = {};
      for (const task of deps.tasks) {
        try {
          counts[task.name] = await task.prune(now);
        } catch (err) {
          deps.log.error({ err, task: task.name }, 'pruning failed');
        }
      }
      if (Object.values(counts).some((n) => n > 0)) deps.log.info({ pruned: counts }, 'pruned old records');
      return counts;
    },
  };
}
