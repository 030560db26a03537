// The runtime's public surface: what lib/ may use. Compile hook sources, run hooks in the
// sandbox; everything else in runtime/ is internal.
export type {
  CompiledHook,
  CompileResult,
  HookEvent,
  HookOutcome,
  HookTask,
  LimitProfile,
  LogLine,
  OutcomeError,
  OutcomeStatus,
  SandboxEvent,
  SandboxOptions,
} from './protocol.ts';
export { DEFAULT_SANDBOX_OPTIONS } from './options.ts';
export { createCompiler, type Compiler, type CompilerOptions } from './compile.ts';
export { createSandbox, type CreateSandboxOptions, type Sandbox, type SandboxStats } from './sandbox.ts';
