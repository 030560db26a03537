// The wire types of the runtime: what lib/ hands in, what comes back, and the messages
// between the daemon, the sandbox host child and its workers. Plain data only: every
// value here crosses a thread or process boundary by structured clone.
import type { MessagePort } from 'node:worker_threads';

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

/** A hook file's `export const config` literal, read off the daemon's thread (undefined: none). */
export type HookConfigResult =
  | { ok: true; config: Record<string, unknown> | undefined }
  | { ok: false; message: string; line?: number; column?: number };

export interface LimitProfile {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
  stackSizeMb: number;
  /**
   * ArrayBuffers and other memory outside the V8 heap (resourceLimits do not count it) that a
   * worker of this profile may hold; maxOldGenerationSizeMb when absent. Checked at the end of
   * each call and at each capability call: past it the call is `oom` and its worker replaced.
   */
  maxExternalMb?: number;
}

/**
 * What a hook may do beyond logging: policy as plain data, decided by the daemon per hook and
 * call. Deny by default: an absent field grants nothing (and the ctx member does not exist).
 */
export interface HookGrants {
  /** `ctx.progress` exists. */
  progress?: boolean;
  /** `ctx.emit` exists and accepts exactly these event types. */
  emit?: { types: string[] };
  /**
   * `ctx.fetch` exists. `allow` entries: `host`, `host:port`, `*.domain[:port]`, IP literals
   * (`127.0.0.1:8080`, `[::1]:8080`). No port = any port (as Deno's --allow-net). Loopback,
   * private and link-local addresses only when an entry names that IP (or `localhost`).
   */
  net?: { allow: string[]; maxResponseBytes: number };
  /**
   * `ctx.env`: name -> value, already resolved by the daemon; values are redacted from all the
   * call leaves behind (logs, errors, denials, result, emitted payloads, progress).
   */
  env?: Record<string, string>;
  /**
   * `ctx.apps.<name>`: the *arr apps' REST APIs. `endpoints` (base URL and API key, or why the app
   * cannot be called) travels from the daemon to the sandbox host only: the host strips it before
   * the task reaches a worker and makes the requests itself (host/app-requests.ts), so a worker never
   * holds a key.
   */
  apps?: { names: string[]; maxResponseBytes: number; endpoints?: Record<string, AppEndpoint> };
  /**
   * The deepest JSON a ctx.emit payload may be (a ctx.progress `data` one level less: it is
   * stored inside the progress payload); deeper is an error in the hook. Absent: not checked.
   */
  maxJsonDepth?: number;
}

/** One app's API as the daemon resolved it from `integrations.<app>`, or why it cannot be used. */
export type AppEndpoint = { url: string; apiKey: string } | { problem: string };

/** A worker asks the host for one ctx.apps request (on the call's own MessagePort). */
export interface AppRequest {
  id: number;
  app: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** JSON text of the request body. */
  body?: string;
}

/** The host's answer: the response with the API key redacted from it, or why there is none. */
export interface AppReply {
  id: number;
  status?: number;
  statusText?: string;
  headers?: Array<[string, string]>;
  body?: string;
  error?: { kind: 'denied' | 'unavailable' | 'network' | 'too-large' | 'aborted' | 'redirect'; message: string; target: string };
}

export interface HookTask {
  hookId: string;
  hookName: string;
  hook: CompiledHook;
  event: HookEvent;
  timeoutMs?: number;
  /** Limit profile name; 'default' when absent. */
  limits?: string;
  /** Capabilities beyond logging; none when absent. See capabilities/ctx.ts. */
  grants?: HookGrants;
}

export type OutcomeStatus = 'ok' | 'error' | 'timeout' | 'oom' | 'crashed' | 'invalid-result';

/** An outcome as recorded: the runtime's, or `invalid-output` for a filter result the judge refused. */
export type StepStatus = OutcomeStatus | 'invalid-output';

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

/** A business event a hook asked to raise with `ctx.emit`; the daemon applies its own guards. */
export interface EmittedEvent {
  type: string;
  /** JSON data (the hook's value after a JSON round trip inside the worker). */
  payload: unknown;
}

/** A capability use the grants refused during the call (the hook may have caught the error). */
export interface HookDenial {
  capability: 'net' | 'env' | 'emit' | 'apps';
  /** What was asked for: `host:port`, an env name, an event type. */
  target: string;
  message: string;
  at: string;
}

export interface HookOutcome {
  status: OutcomeStatus;
  value?: unknown;
  error?: OutcomeError;
  logs: LogLine[];
  logsTruncated?: boolean;
  durationMs: number;
  /**
   * Events raised with ctx.emit, in order. Present only for calls that ended `ok`, `error` or
   * `invalid-result`: the emits of a call that timed out, ran out of memory or crashed are lost.
   */
  emitted?: EmittedEvent[];
  /** Refused capability uses, at most 20 per call; absent when there were none. */
  denials?: HookDenial[];
}

/** Bounds of a payload a hook produces: nesting depth, and a lower bound of its JSON text's length. */
export interface PayloadLimits {
  maxDepth: number;
  maxBytes: number;
}

/**
 * A filter chain of module hooks, run by the sandbox host in one crossing: each step gets the
 * previous accepted payload, judged there (chain/filter-judge.ts) against `schema`.
 */
export interface ChainTask {
  /** The event; its payload is the chain's input. */
  event: HookEvent;
  /** The hooks in order; each step's `timeoutMs` is bounded by what is left of `deadline`. */
  steps: Array<Omit<HookTask, 'event'>>;
  /** Epoch ms after which no step starts (those left are `skipped`). */
  deadline: number;
  limits: PayloadLimits;
  /** The event type's payload schema (draft-07); absent: any JSON payload is accepted. */
  schema?: object | boolean;
}

/** One step of a chain: skipped (the deadline passed), or its outcome as recorded (value kept as JSON data). */
export type ChainStepResult =
  | { status: 'skipped' }
  | {
      status: StepStatus;
      outcome: HookOutcome;
      /** The payload after this step, present only when the step's accepted output changed it. */
      payload?: unknown;
    };

export interface ChainOutcome {
  /** The payload after the last step. */
  payload: unknown;
  steps: ChainStepResult[];
}

export interface SandboxOptions {
  profiles: Record<string, LimitProfile>;
  minThreads: number;
  maxThreads: number;
  idleTimeoutMs: number;
  defaultTimeoutMs: number;
  maxResultBytes: number;
  /** A call's log as stored (each line's JSON), and its number of lines. */
  maxLogBytes: number;
  maxLogLines: number;
  memoryBudgetMb: number;
  maxSourceBytes: number;
  compileTimeoutMs: number;
}

/** One ctx.progress update. `key` absent = the call's main progress. */
export interface ProgressItem {
  key?: string;
  pct?: number;
  message?: string;
  data?: unknown;
  at: string;
}

/**
 * A batch of one call's progress updates: latest wins per key inside a batch, batches of a call
 * arrive in order and before its outcome. `dropped` counts updates of this call lost since the
 * previous batch (per-call item cap, too many keys in one batch).
 */
export interface HookProgressEvent {
  type: 'hook.progress';
  hookId: string;
  hookName: string;
  eventId: string;
  items: ProgressItem[];
  dropped: number;
}

/** What the sandbox reports besides outcomes, through createSandbox({ onEvent }). */
export type SandboxEvent =
  | { type: 'host.exit'; pid: number; code: number | null; signal: string | null; inFlight: number; /** True when close() asked for it. */ expected: boolean; at: string }
  | { type: 'host.ready'; pid: number; at: string }
  | HookProgressEvent;

// ---- inside the sandbox host: host <-> worker ----

/** One call as a worker receives it: the task plus what the host decided. */
export interface WorkerTask {
  callId: number;
  hookId: string;
  hookName: string;
  /**
   * The record comes along only when the host does not know that this hook version was run in
   * this pool before; a worker without it (its instance cache lacks the hook) answers `miss`
   * and the host sends the task again with it.
   */
  hook: HookRef;
  event: HookEvent;
  grants: HookGrants;
  /** Epoch ms at which ctx.signal aborts (the host kills the worker a little later). */
  deadline: number;
  maxResultBytes: number;
  maxLogBytes: number;
  maxLogLines: number;
  /** The limit profile's name and its bound on external memory (see LimitProfile.maxExternalMb). */
  profile: string;
  maxExternalBytes: number;
  /** The call's channel to the host for ctx.apps requests; present only with grants.apps. */
  appsPort?: MessagePort;
}

/** What a worker answers: never a hook's own object, only data built by the worker. */
export interface WorkerReply {
  /** `miss`: the task came without its record and this worker has no instance of the hook; nothing ran. */
  status: 'ok' | 'error' | 'timeout' | 'oom' | 'invalid-result' | 'miss';
  /** v8.serialize()d result, present when status is 'ok'. */
  valueBytes?: Uint8Array;
  error?: OutcomeError;
  logs: LogLine[];
  logsTruncated: boolean;
  emitted?: EmittedEvent[];
  denials?: HookDenial[];
  /** How many WorkerEventMessages this call posted: the host forwards them all before the outcome. */
  posted: number;
}

/**
 * A message a worker posts on its parentPort during a call. Replies travel on piscina's own
 * port, so the host counts these per call to keep a call's events ahead of its outcome.
 */
export interface WorkerEventMessage {
  hookdEvent: SandboxEvent;
  callId: number;
}

/**
 * A worker's reply sent instead of ending its task, when the worker must not serve another call
 * (its memory is over the profile's bound): the worker then exits, which gives the memory back
 * and fails the task, and the host answers this reply.
 */
export interface WorkerReplaceMessage {
  hookdReplace: WorkerReply;
  callId: number;
}

// ---- daemon <-> sandbox host (Node IPC, advanced serialization) ----

/**
 * A compiled hook on the wire to the host: the record travels once per host and hash+filename,
 * later calls carry only the reference (the host answers `miss` if it no longer has it).
 */
export interface HookRef {
  hash: string;
  filename: string;
  record?: unknown;
}

export interface WireTask extends Omit<HookTask, 'hook'> {
  hook: HookRef;
}

/**
 * A chain on the wire: records as in WireTask; the schema travels once per host like a record
 * (`key` names it, the host answers `miss` when it lacks it).
 */
export interface WireChain extends Omit<ChainTask, 'steps' | 'schema'> {
  steps: Array<Omit<WireTask, 'event'>>;
  schema?: { key: string; schema?: object | boolean };
}

/** One piscina pool of the host (one per limit profile in use). */
export interface PoolStatus {
  threads: number;
  queued: number;
  completed: number;
}

/** What the host answers a ping with: it is alive, and the state of its pools. */
export interface HostStatus {
  pid: number;
  pools: Record<string, PoolStatus>;
}

export type HostRequest =
  | { t: 'init'; options: SandboxOptions }
  | { t: 'run'; id: number; task: WireTask }
  | { t: 'chain'; id: number; chain: WireChain }
  /** A round trip that runs no hook (readiness, metrics): the host answers `pong`. */
  | { t: 'ping'; id: number }
  | { t: 'close' }
  | { t: 'many'; requests: HostRequest[] };

/** An outcome on the wire: the value still v8-serialized, the daemon deserializes it. */
export interface WireOutcome extends Omit<HookOutcome, 'value'> {
  valueBytes?: Uint8Array;
}

export type HostMessage =
  | { t: 'ready' }
  | { t: 'outcome'; id: number; outcome: WireOutcome }
  | { t: 'chain-outcome'; id: number; outcome: ChainOutcome }
  /** The host does not have this call's record (or a chain's records or schema; it restarted or evicted them): send it again. */
  | { t: 'miss'; id: number }
  | { t: 'event'; event: SandboxEvent }
  | { t: 'pong'; id: number; status: HostStatus }
  | { t: 'many'; messages: HostMessage[] };
