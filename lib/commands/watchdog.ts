// The watchdog: a tiny /bin/sh process that reads a pipe from the daemon and never gets a byte.
// End of file means the daemon is gone (kill -9 included: the kernel closes its end) or is
// stopping; either way the watchdog ends every command run that is left, then exits. Side
// effect: one child process for the daemon's lifetime.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';

// Both scripts ignore the signals a terminal or supervisor sends to a whole process group: the
// daemon stops on them and closes the pipe itself, so the watchdog outlives its drain.
const WAIT_FOR_EOF = "trap '' INT TERM HUP PIPE; while read -r _; do :; done";

// $1 is the daemon's cgroup of runs: kill its tree, then remove it (children first, up to the
// depths a run makes); what cannot be removed yet is left to the next start.
const CGROUP_SCRIPT = `${WAIT_FOR_EOF}
i=0
while [ -d "$1" ] && [ "$i" -lt 100 ]; do
  echo 1 > "$1/cgroup.kill" 2>/dev/null
  rmdir "$1"/*/*/*/ "$1"/*/*/ "$1"/*/ "$1" 2>/dev/null || sleep 0.05
  i=$((i + 1))
done`;

// $1 is the environment entry prefix every run of this daemon carries (HOOKD_RUN_ID=<instance>.).
const TAG_SCRIPT = `${WAIT_FOR_EOF}
i=0
while [ "$i" -lt 20 ]; do
  found=
  for f in $(grep -lsaF -e "$1" /proc/[0-9]*/environ); do
    p=\${f#/proc/}
    kill -9 "\${p%/environ}" 2>/dev/null && found=1
  done
  [ -n "$found" ] || break
  sleep 0.05
  i=$((i + 1))
done`;

export type WatchdogTarget = { cgroup: string } | { tagEntry: string };

export interface Watchdog {
  readonly pid: number | undefined;
  /** Closes the pipe (the watchdog cleans up what is left, normally nothing) and waits for it to exit, up to `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

export function startWatchdog(target: WatchdogTarget): Watchdog {
  const [script, arg] = 'cgroup' in target ? [CGROUP_SCRIPT, target.cgroup] : [TAG_SCRIPT, target.tagEntry];
  const child: ChildProcess = spawn('/bin/sh', ['-c', script, 'hookd-watchdog', arg], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  const exited = once(child, 'exit').then(() => undefined, () => undefined);
  child.on('error', () => {}); // a missing /bin/sh: the next start's reaper still covers a crash
  // Neither the process nor its pipe keeps the daemon's event loop alive.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  return {
    pid: child.pid,
    async stop(timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
