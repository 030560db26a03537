// Signals a command's whole process group. Every command starts detached, so it leads its own
// group (pgid = its pid) and everything it forks (`sleep 1000 &`) is in that group too.

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

/**
 * SIGTERM to the group now (the program may clean up), SIGKILL after `graceMs`. Returns a
 * cancel for the SIGKILL timer: once the leader has exited its pid may be reused.
 */
export function terminateGroup(pid: number, graceMs: number): () => void {
  if (!signalGroup(pid, 'SIGTERM')) return () => {};
  const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  return () => clearTimeout(timer);
}
