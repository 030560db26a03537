// `hookd check`: the configuration, then every hook in the hooks directory, defined by the
// daemon's own sync and rules (compiled, patterns, permissions, programs) without a database.
// Hooks compiled by an earlier check or the daemon come from the data directory's cache.
// Prints `path:line:column: message` per problem; exit 2 when anything is invalid.
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createCatalog } from '../catalog.ts';
// The files, not the folders' index.ts: those load execa and chokidar, which check never runs.
import { checkProgram } from '../commands/check-program.ts';
import { loadConfig } from '../config/index.ts';
import type { HooksStore } from '../db/hooks-store.ts';
import { createHookDefinitions } from '../dispatch/hook-definition.ts';
import { createEnvGrants } from '../env-grants.ts';
import { syncHooksDir, type SyncReport } from '../hooks-dir/sync.ts';
import { createCompilerFromConfig } from '../sandbox.ts';
import { openBuildCompileProcess, type Compiler } from '../../runtime/index.ts';
import { createSilentLogger } from '../silent-logger.ts';
import { knownCredentials } from '../tokens.ts';
import { EXIT } from './exit.ts';
import { createMemoryHooksStore } from './memory-hooks-store.ts';

export interface CheckOptions {
  config?: string;
  hooksDir?: string;
}

/**
 * `compileProcess`: a one-shot run compiles in the build's snapshot process (Babel warm), not a
 * fresh thread; the CLI opens it, and may start it, before this module loads (program.ts,
 * check-compile-process.ts). Closed when check ends.
 */
export async function checkCommand(opts: CheckOptions, cwd = process.cwd(), compileProcess = openBuildCompileProcess()): Promise<number> {
  let compiler: Compiler | undefined;
  try {
    const config = loadConfig({ file: opts.config });
    console.log(`configuration ok (${config.sources.join(' + ')}); ${Object.keys(config.catalog).length} event types`);
    for (const n of config.notices ?? []) console.warn(`${n.file ? `${n.file}${n.line ? `:${n.line}:${n.column}` : ''}: ` : ''}warning: ${n.key} ${n.message}`);
    const dir = opts.hooksDir ? resolve(cwd, opts.hooksDir) : config.hooks.dir;
    const shown = relative(cwd, dir);
    const prefix = shown === '' ? '' : `${shown}/`;
    // Not made yet is not broken: `hookd serve` creates it (a fresh install is checked before its first start).
    if (!existsSync(dir)) {
      console.log(`0 hooks in ${shown || '.'}: it does not exist yet (hookd serve creates it)`);
      return EXIT.OK;
    }
    compiler = createCompilerFromConfig(config.runtime, config.dataDir, { snapshot: compileProcess });
    const store = createMemoryHooksStore();
    const report = await syncHooksDir({
      dir,
      // Only the five methods the sync calls exist: see memory-hooks-store.ts.
      store: store as unknown as HooksStore,
      definitions: createHookDefinitions({
        catalog: createCatalog(config.catalog),
        compiler,
        profiles: Object.keys(config.runtime.profiles),
        maxTimeoutMs: config.runtime.maxTimeoutMs,
        checkCommand: checkProgram,
        refuseEnv: createEnvGrants({ secrets: config.secrets, env: process.env, credentials: knownCredentials(config) }).refuse,
      }),
      compiler,
      maxSourceBytes: config.runtime.maxSourceBytes,
      log: createSilentLogger(),
      clashes: new Map(), // one sync: every clash is reported
    });
    const failed = new Set(report.failed.map((f) => f.file));
    const loaded = store.records().filter((hook) => hook.filePath !== null && !failed.has(hook.filePath));
    for (const hook of loaded) {
      const state = hook.enabled ? '' : ' (enabled: false)';
      console.log(`${prefix}${hook.filePath}: ok, ${hook.kind === 'command' ? 'command ' : ''}${hook.mode} on ${hook.events.join(', ')}${state}`);
    }
    for (const line of describeProblems(report, shown)) console.error(line);
    const summary = `${loaded.length} hook${loaded.length === 1 ? '' : 's'} ok, ${report.failed.length + report.unreadable.length} with errors in ${shown || '.'}`;
    if (report.failed.length + report.unreadable.length > 0) {
      console.error(summary);
      return EXIT.USAGE;
    }
    console.log(summary);
    return EXIT.OK;
  } finally {
    // An invalid config ends check before the compiler that owns the process exists.
    await (compiler ? compiler.close() : compileProcess?.close());
  }
}

/**
 * One line per problem of a sync, its path relative to where check runs (`shown`: the hooks
 * directory from there; the sync names files relative to it, an editor wants them from here).
 * A message that names its file already (a compile error, a file or sidecar that cannot be
 * read) is not prefixed with it again. What cannot be read is not known good: the daemon would
 * keep what it last loaded from it.
 */
export function describeProblems(report: Pick<SyncReport, 'failed' | 'unreadable'>, shown: string): string[] {
  const prefix = shown === '' ? '' : `${shown}/`;
  const line = (file: string, message: string) => (message.startsWith(file) ? `${prefix}${message}` : `${prefix}${file}: ${message}`);
  return [
    ...report.failed.map(({ file, message }) => line(file, message)),
    ...report.unreadable.map(({ kind, file, message }) =>
      kind === 'directory' ? `${shown || '.'}: cannot be read: ${message}` : line(file, kind === 'file' ? message : `cannot be read: ${message}`)),
  ];
}
