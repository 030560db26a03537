// Finds and kills a command run's processes through the process table, for when no cgroup holds
// them: the program's process group and session, its descendants, and every process that carries
// the run's tag (HOOKD_RUN_ID, inherited through fork and exec). A process that clears its
// environment AND leaves the group and session AND loses its parent (double fork) is not found.
import { pollUntil } from './poll-until.ts';
import { signalPids } from './process-group.ts';
import { environHas, listProcesses, startedNotBefore, type ProcStat } from './proc-table.ts';

export const RUN_TAG_VAR = 'HOOKD_RUN_ID';

export interface RunSelector {
  /** The environment entry (or entry prefix) that marks the run's processes: `HOOKD_RUN_ID=<tag>`. */
  tagEntry: string;
  /** Only processes started at or after this (clock ticks after boot) can be the run's. */
  since: string;
  /** The leaders whose group and session are the run's (their pid is the group and session id). */
  leaders: readonly number[];
}

/** The running processes of the selected run(s), never this process itself. */
export function findRunProcesses(selector: RunSelector, self = process.pid): number[] {
  const candidates = listProcesses().filter((p) => p.pid !== self && startedNotBefore(p, selector.since));
  const leaders = new Set(selector.leaders);
  const found = new Set<number>();
  const children = new Map<number, ProcStat[]>();
  for (const p of candidates) {
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p);
    else children.set(p.ppid, [p]);
    if (leaders.has(p.pid) || leaders.has(p.pgid) || leaders.has(p.sid) || environHas(p.pid, selector.tagEntry)) found.add(p.pid);
  }
  // Descendants of anything found, and of a leader that has already exited.
  const queue = [...found, ...leaders];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (!found.has(child.pid)) {
        found.add(child.pid);
        queue.push(child.pid);
      }
    }
  }
  return [...found];
}

/**
 * SIGKILL to the run's processes until none is left (each pass also catches what forked during
 * the last one), up to `timeoutMs`. Never throws; `ended` is false when some would not die in time.
 */
export async function killRunProcesses(selector: RunSelector, timeoutMs: number): Promise<{ killed: number; ended: boolean }> {
  const killed = new Set<number>();
  let readable = true;
  const ended = await pollUntil(() => {
    let pids: number[];
    try {
      pids = findRunProcesses(selector);
    } catch {
      readable = false; // no /proc: nothing more this mode can do
      return true;
    }
    signalPids(pids, 'SIGKILL');
    for (const pid of pids) killed.add(pid);
    return pids.length === 0;
  }, timeoutMs);
  return { killed: killed.size, ended: ended && readable };
}
