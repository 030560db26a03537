// The wire types of the runtime: what lib/ hands in, what comes back, and the messages
// between the daemon, the sandbox host child and its workers. Plain data only: every
// value here crosses a thread or process boundary by structured clone.

/** An event as a hook sees it (hardened inside the sandbox). */
export interface HookEvent {
  id: string;
  type: string;
  occurredAt: string;
  payload: unknown;
}

/** A compiled hook: `record` is the JSON-able ModuleSource record, `hash` the sha256 of the source text. */
export interface CompiledHook {
  hash: string;
  record: unknown;
  filename: string;
}

export type CompileResult =
  | { ok: true; hook: CompiledHook }
  | { ok: false; error: { message: string; line?: number; column?: number } };

export interface LimitProfile {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
  stackSizeMb: number;
}

export interface HookTask {
  hookId: string;
  hookName: string;
  hook: CompiledHook;
  event: HookEvent;
  timeoutMs?: number;
  /** Limit profile name; 'default' when absent. */
  limits?: string;
  /** Extension point for later capabilities (env, net, progress, emit): see runtime/ctx.ts. */
  grants?: Record<string, unknown>;
}

export type OutcomeStatus = 'ok' | 'error' | 'timeout' | 'oom' | 'crashed' | 'invalid-result';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  at: string;
}

export interface OutcomeError {
  message: string;
  name?: string;
  stack?: string;
  line?: number;
  column?: number;
}

export interface HookOutcome {
  status: OutcomeStatus;
  value?: unknown;
  error?: OutcomeError;
  logs: LogLine[];
  logsTruncated?: boolean;
  durationMs: number;
}

export interface SandboxOptions {
  profiles: Record<string, LimitProfile>;
  minThreads: number;
  maxThreads: number;
  idleTimeoutMs: number;
  defaultTimeoutMs: number;
  maxResultBytes: number;
  maxLogBytes: number;
  memoryBudgetMb: number;
  maxSourceBytes: number;
  compileTimeoutMs: number;
}

/**
 * What the sandbox reports besides outcomes. Later issues add hook-driven variants
 * (progress batches, emitted events) as `hook.*` members; `hook.signal` is the placeholder
 * that carries whatever a ctx capability sends through `CapabilityDeps.send`.
 */
export type SandboxEvent =
  | { type: 'host.exit'; pid: number; code: number | null; signal: string | null; inFlight: number; at: string }
  | { type: 'host.ready'; pid: number; at: string }
  | { type: 'hook.signal'; hookId: string; eventId: string; name: string; data: unknown; at: string };

// ---- inside the sandbox host: host <-> worker ----

/** One call as a worker receives it: the task plus what the host decided. */
export interface WorkerTask {
  callId: number;
  hookId: string;
  hookName: string;
  hook: CompiledHook;
  event: HookEvent;
  grants: Record<string, unknown>;
  /** Epoch ms at which ctx.signal aborts (the host kills the worker a little later). */
  deadline: number;
  maxResultBytes: number;
  maxLogBytes: number;
}

/** What a worker answers: never a hook's own object, only data built by the worker. */
export interface WorkerReply {
  status: 'ok' | 'error' | 'timeout' | 'oom' | 'invalid-result';
  /** v8.serialize()d result, present when status is 'ok'. */
  valueBytes?: Uint8Array;
  error?: OutcomeError;
  logs: LogLine[];
  logsTruncated: boolean;
}

/** A message a worker posts on its parentPort during a call. */
export interface WorkerEventMessage {
  hookdEvent: SandboxEvent;
}

// ---- daemon <-> sandbox host (Node IPC, advanced serialization) ----

export type HostRequest =
  | { t: 'init'; options: SandboxOptions }
  | { t: 'run'; id: number; task: HookTask }
  | { t: 'close' };

/** An outcome on the wire: the value still v8-serialized, the daemon deserializes it. */
export interface WireOutcome extends Omit<HookOutcome, 'value'> {
  valueBytes?: Uint8Array;
}

export type HostMessage =
  | { t: 'ready' }
  | { t: 'outcome'; id: number; outcome: WireOutcome }
  | { t: 'event'; event: SandboxEvent };
