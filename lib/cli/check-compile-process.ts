// `hookd check`'s compile process, opened before check's modules and config load, and started
// at once when this run will compile every hook: the data directory known without the config
// (HOOKD_DATA_DIR, or the default when no config file is given) holds no compiled hook. Its start
// is most of a first check's wall time, and overlaps theirs. Otherwise, a guess only: the compiler
// starts it once the config names the data directory (runtime/client/compile.ts).
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openBuildCompileProcess, type CompileProcess } from '../../runtime/client/compile-process.ts';
import { compileCacheDir, DATA_DIR_ENV, DEFAULT_DATA_DIR } from '../data-dir-paths.ts';

export function openCheckCompileProcess(opts: { config?: string }, env = process.env, cwd = process.cwd()): CompileProcess | undefined {
  const proc = openBuildCompileProcess();
  // The environment wins over any file (config/load.ts); a file may name another directory.
  const dataDir = env[DATA_DIR_ENV] || (opts.config || env.HOOKD_CONFIG ? undefined : DEFAULT_DATA_DIR);
  if (proc && dataDir !== undefined && hasNoEntries(compileCacheDir(resolve(cwd, dataDir)))) void proc.ready();
  return proc;
}

function hasNoEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return true; // none yet
  }
}
