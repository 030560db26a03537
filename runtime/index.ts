// The runtime's public surface: what lib/ may use. Compile hook sources, run hooks in the
// sandbox; everything else in runtime/ is internal.
export type {
  CompiledHook,
  CompileResult,
  EmittedEvent,
  HookDenial,
  HookEvent,
  HookConfigResult,
  HookGrants,
  HookOutcome,
  HookProgressEvent,
  HookTask,
  HostStatus,
  LimitProfile,
  LogLine,
  OutcomeError,
  OutcomeStatus,
  PoolStatus,
  ProgressItem,
  SandboxEvent,
  SandboxOptions,
} from './protocol.ts';
export { DEFAULT_SANDBOX_OPTIONS } from './options.ts';
export { createCompiler, type Compiler, type CompilerOptions } from './compile.ts';
export { createSandbox, type CreateSandboxOptions, type Sandbox, type SandboxStats } from './sandbox.ts';
export { validateNetAllowlist } from './net-allowlist.ts';
// One rule for what a hook run leaves behind, module or command: secrets redacted, logs budgeted.
export { createRedactor, redactJsonText, REDACTED, type Redactor } from './redact.ts';
export { createLogBudget, describeDropped, storedLineBytes, type LogBudget, type LogLimits } from './log-budget.ts';
export { findTooDeep, pointerOf, type PointerNode } from './json-depth.ts';
// The hook-facing capability types (for docs and typed hook authoring); the values live in workers.
export type { HookEmit } from './ctx-emit.ts';
export type { HookEnv } from './ctx-env.ts';
export type { HookFetch, HookHeaders, HookResponse } from './ctx-fetch.ts';
export type { HookProgress } from './ctx-progress.ts';
