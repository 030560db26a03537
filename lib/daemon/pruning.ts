// Retention on a timer (part of the composition root, lib/daemon.ts): one pass over every prune
// task at start, awaited, then one each interval until stop(). Side effect: that timer (unref'd,
// so it never keeps the process alive).
import type { Logger } from '../log.ts';
import { createPruner, type PruneTask } from '../retention.ts';

export interface PruningDeps {
  log: Logger;
  tasks: PruneTask[];
  intervalMs: number;
}

export async function startPruning(deps: PruningDeps): Promise<{ stop(): void }> {
  const pruner = createPruner({ log: deps.log, tasks: deps.tasks });
  await pruner.pruneOnce();
  const timer = setInterval(() => void pruner.pruneOnce(), deps.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
