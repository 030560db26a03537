// Runs the example hooks in hooks/ as `hookd run-hook` does: the real files, the default
// config, the daemon's definition rules, compiler and sandbox (or command runner).
import { fileURLToPath } from 'node:url';
import { createHookRunner, type HookRunner } from '../../lib/cli/hook-runner.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { createLogger } from '../../lib/log.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A runner on the embedded default config; `env` is all the environment its hooks can see (plus PATH). */
export function createExampleRunner(env: Record<string, string> = {}): HookRunner {
  const config = loadConfig({ env: {}, cwd: REPO });
  return createHookRunner({
    config,
    log: createLogger({ level: 'silent', pretty: false }),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    cwd: REPO,
  });
}
