// The sandbox's options as the daemon gets them from the default config (config/hookd.yaml),
// for suites that start a sandbox or compiler without a daemon: runtime/ has no defaults of
// its own, the config's are the one source.
import { loadConfig } from '../../lib/config/index.ts';
import { sandboxOptionsFrom } from '../../lib/sandbox.ts';
import type { SandboxOptions } from '../../runtime/index.ts';

export const DEFAULT_SANDBOX_OPTIONS: Readonly<SandboxOptions> = Object.freeze(sandboxOptionsFrom(loadConfig({ env: {} }).runtime));
