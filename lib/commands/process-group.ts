// Signals to a command's processes by pid and by process group. Every command starts detached, so
// it leads its own session and group (pgid = sid = its pid) and what it forks stays in them unless
// it calls setsid/setpgid: the cgroup or the process-table sweep (containment.ts) covers those.

/**
 * Sends `signal` to the group led by `pid`; false when it could not (ESRCH: the group is already
 * empty). Never throws: it runs in timers and exit handlers, where a throw would end the daemon.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to each pid; those gone meanwhile are skipped. Never throws. */
export function signalPids(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}
