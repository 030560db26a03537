// Builds the runtime's sandbox and compiler from the config, and logs what the sandbox
// host reports (starts, exits with calls lost) with its pid as hostPid (pid is the daemon's).
// The runtime has no defaults of its own: the config's (config/hookd.yaml) are the one source,
// and whoever starts a sandbox (the daemon, the CLI, tests, benches) passes them through here.
import { compileCacheDir } from './data-dir-paths.ts';
import type { RuntimeConfig } from './config/index.ts';
import type { Logger } from './log.ts';
import { createCompiler, createSandbox, type CompileProcess, type Compiler, type SandboxEvent, type SandboxOptions } from '../runtime/index.ts';

/** The runtime's options from the config's runtime section. */
export function sandboxOptionsFrom(c: RuntimeConfig): SandboxOptions {
  return {
    profiles: c.profiles,
    minThreads: c.minThreads,
    maxThreads: c.maxThreads,
    idleTimeoutMs: c.idleTimeoutMs,
    defaultTimeoutMs: c.timeoutMs,
    maxResultBytes: c.maxResultBytes,
    maxLogBytes: c.maxLogBytes,
    maxLogLines: c.maxLogLines,
    memoryBudgetMb: c.memoryBudgetMb,
    maxSourceBytes: c.maxSourceBytes,
    compileTimeoutMs: c.compileTimeoutMs,
  };
}

/**
 * The compiler for hooks of this configuration. Compiled hook files are kept in the data
 * directory (cache/compile), so `hookd check`, `run-hook` and the daemon compile an unchanged
 * hook once between them.
 */
export function createCompilerFromConfig(c: RuntimeConfig, dataDir: string, opts: { snapshot?: CompileProcess } = {}): Compiler {
  return createCompiler({ maxSourceBytes: c.maxSourceBytes, compileTimeoutMs: c.compileTimeoutMs, cacheDir: compileCacheDir(dataDir), ...opts });
}

export function createSandboxFromConfig(deps: {
  config: RuntimeConfig;
  /** The data directory: compiled hooks are kept there (createCompilerFromConfig). */
  dataDir: string;
  log: Logger;
  onHookEvent?: (event: SandboxEvent) => void;
}) {
  const c = deps.config;
  const sandbox = createSandbox({
    ...sandboxOptionsFrom(c),
    onEvent: (event) => {
      if (event.type === 'host.exit' && event.expected) {
        deps.log.debug({ hostPid: event.pid }, 'sandbox host stopped');
      } else if (event.type === 'host.exit') {
        deps.log.warn({ hostPid: event.pid, code: event.code, signal: event.signal, inFlight: event.inFlight }, 'sandbox host exited; restarting it');
      } else if (event.type === 'host.ready') {
        deps.log.debug({ hostPid: event.pid }, 'sandbox host ready');
      } else {
        deps.onHookEvent?.(event);
      }
    },
  });
  const compiler = createCompilerFromConfig(c, deps.dataDir);
  return { sandbox, compiler };
}
