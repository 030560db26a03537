// Runs the `hookd` CLI as a child process and collects its exit status and output.
// Asynchronous on purpose: a daemon under test may run in this process, and a spawnSync would
// freeze it (and its keep-alive timers) for as long as the CLI runs.
import { execFile } from 'node:child_process';
import { CLI } from './daemon.ts';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `env` is added to a bare environment (PATH only). `timeoutMs` guards against a CLI that does not
 * exit (a `serve` expected to fail that starts): it is killed, status null. `as`: another user to
 * run it as (this process must be root).
 */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 0, as?: { uid: number; gid: number }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL', ...as }, (err, stdout, stderr) =>
      resolve({ status: err ? (err.killed ? null : ((err as { code?: number }).code ?? 1)) : 0, stdout, stderr }));
  });
}
