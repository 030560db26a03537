// Safe defaults for the sandbox: what lib/ starts from before applying its config.
import type { SandboxOptions } from './protocol.ts';

/** Frozen defaults: every limit on, sized for a small machine. */
export const DEFAULT_SANDBOX_OPTIONS: Readonly<SandboxOptions> = Object.freeze({
  profiles: Object.freeze({
    default: Object.freeze({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4, maxExternalMb: 64 }),
    large: Object.freeze({ maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4, maxExternalMb: 256 }),
  }),
  minThreads: 1,
  maxThreads: 2,
  idleTimeoutMs: 10 * 60_000,
  defaultTimeoutMs: 5_000,
  maxResultBytes: 1024 * 1024,
  maxLogBytes: 64 * 1024,
  maxLogLines: 1000,
  memoryBudgetMb: 1024,
  maxSourceBytes: 256 * 1024,
  compileTimeoutMs: 5_000,
});
