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

/** `env` is added to a bare environment (PATH only). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}
