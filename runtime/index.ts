// The runtime's public surface: what lib/ may use. Compile hook sources, run hooks in the
// sandbox; everything else in runtime/ is internal.
export type {
  ChainOutcome,
  ChainStepResult,
  ChainTask,
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
  PayloadLimits,
  PoolStatus,
  ProgressItem,
  SandboxEvent,
  SandboxOptions,
  StepStatus,
} from './protocol.ts';
export { createCompiler, type Compiler, type CompilerOptions } from './client/compile.ts';
export { openBuildCompileProcess, type CompileProcess } from './client/compile-process.ts';
export { createSandbox, type CreateSandboxOptions, type Sandbox, type SandboxStats } from './client/sandbox.ts';
export { validateNetAllowlist } from './capabilities/net-allowlist.ts';
// The one table of public, private and never-reachable addresses: hooks' fetch and webhooks both judge by it.
export { classifyAddress, type AddressClass, type AddressVerdict } from './capabilities/address-ranges.ts';
export { createCheckedLookup, type Resolver } from './capabilities/checked-lookup.ts';
// One rule for what a hook run leaves behind, module or command: secrets redacted, logs budgeted.
export { createRedactor, redactJsonText, REDACTED, type Redactor } from './worker/redact.ts';
export { createLogBudget, describeDropped, storedLineBytes, type LogBudget, type LogLimits } from './worker/log-budget.ts';
export { findTooDeep, pointerOf, type PointerNode } from './worker/json-depth.ts';
// The filter chain's rules, one copy for the daemon and the sandbox host (which runs chains of
// module hooks): a hook's value as JSON data, merge patches, users' schemas, the judge, the step loop.
export { defineOwn, toJsonData, type JsonDataResult, type JsonLimits } from './chain/json-data.ts';
export { applyMergePatch } from './chain/merge-patch.ts';
export { createUsersAjv, describeErrors, DURATION_PATTERN, escapePointer, SIZE_PATTERN, validatorFrom, type SchemaProblem, type Validator } from './chain/payload-schema.ts';
export { filterOutputCheck, judgeFilterOutput, type CheckVerdict, type FilterJudgement, type PayloadType } from './chain/filter-judge.ts';
export { keepResultAsJson, settleOutcome } from './chain/step-outcome.ts';
export { runChainSteps, type ChainStepsDeps } from './chain/run-steps.ts';
// The hook-facing capability types (for docs and typed hook authoring); the values live in workers.
export type { HookEmit } from './capabilities/ctx-emit.ts';
export type { HookEnv } from './capabilities/ctx-env.ts';
export type { HookFetch, HookHeaders, HookRequestInit, HookResponse } from './capabilities/ctx-fetch.ts';
export type { HookProgress } from './capabilities/ctx-progress.ts';
