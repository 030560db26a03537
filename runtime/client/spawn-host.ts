// Starts the sandbox-host child under its memory budget: `ulimit -d` (RLIMIT_DATA) set by
// /bin/sh, which then execs node, so the pid we hold is node's. Every value reaches sh as an
// argument ($1, "$@"), never inside the script text.
import { spawn, type ChildProcess } from 'node:child_process';
import { HOST_ENTRY, loaderExecArgv } from './entry-points.ts';

const ULIMIT_SCRIPT = 'ulimit -d "$1" || exit 97; shift; exec "$@"';
/** Exit code of the sh wrapper when the rlimit could not be set. */
export const ULIMIT_FAILED_EXIT = 97;

// The host gets no secrets from the daemon's environment (tokens, database URLs): hooks
// cannot read it, but what is never there cannot leak.
function hostEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'LANG', 'TZ', 'TMPDIR', 'HOME']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return env;
}

export function spawnSandboxHost(deps: { memoryBudgetMb: number }): ChildProcess {
  const budgetKb = String(Math.floor(deps.memoryBudgetMb * 1024));
  return spawn(
    '/bin/sh',
    ['-c', ULIMIT_SCRIPT, 'hookd-sandbox-host', budgetKb, process.execPath, ...loaderExecArgv(), HOST_ENTRY],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', env: hostEnv() },
  );
}
