// The data directory's default, the variable that overrides it and where compiled hooks live in
// it: one copy for the config (schema.ts, load.ts), the compiler's setup (sandbox.ts) and `hookd
// check`'s early start (cli/check-compile-process.ts), which must know them without loading the
// config's modules.
import { join } from 'node:path';

export const DEFAULT_DATA_DIR = './data';
export const DATA_DIR_ENV = 'HOOKD_DATA_DIR';

/** Records of running command hooks, for the next start to reap what a killed daemon left (commands/run-records.ts). */
export function commandRunsDir(dataDir: string): string {
  return join(dataDir, 'command-runs');
}

/** Compiled hook files shared by the daemon, `hookd check` and `run-hook` (runtime/client/compile-cache.ts). */
export function compileCacheDir(dataDir: string): string {
  return join(dataDir, 'cache', 'compile');
}
