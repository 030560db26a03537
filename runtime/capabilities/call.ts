// The call a hook instance is running and what every capability is built from: the per-call
// state that capabilities fill and the worker reads when it replies (CallState, read through a
// CallSlot), and a builder's deps. Types and one constructor, imported by the capabilities and
// the worker alike, so neither imports the other's modules for them. Worker-only.
import type { MessagePort } from 'node:worker_threads';
import type { AppReply, EmittedEvent, HookDenial, HookGrants, ProgressItem, SandboxEvent } from '../protocol.ts';
import type { LogSink } from '../worker/log-sink.ts';
import type { Redactor } from '../worker/redact.ts';

/** A call's pending ctx.progress updates (capabilities/ctx-progress.ts). */
export interface ProgressBuffer {
  add(item: ProgressItem): void;
  /** Sends what is pending now and stops the timer: the call is ending. */
  close(): void;
}

/** The call a hook instance is running now; null between calls. */
export interface CallState {
  callId: number;
  /** The profile's bound on ArrayBuffer (external) memory: see worker/external-memory.ts. */
  profile: string;
  maxExternalBytes: number;
  /** Set once a capability found the worker over that bound: the call ends `oom` whatever it returns. */
  memoryExceeded?: string;
  log: LogSink;
  event: { id: string; type: string };
  /** Epoch ms at which the call's signal aborts. */
  deadline: number;
  /** The call's real AbortSignal, made on first use (most calls never need one). */
  signal(): AbortSignal;
  /** Events posted to the host during this call (see WorkerReply.posted). */
  posted: number;
  // Filled by capabilities on first use, read by the worker when it replies.
  progress?: ProgressBuffer;
  emitted?: EmittedEvent[];
  denials?: HookDenial[];
  /** The call's channel to the host for ctx.apps (with grants.apps), and its client once used. */
  appsPort?: MessagePort;
  apps?: { nextId: number; pending: Map<number, (reply: AppReply) => void>; port: MessagePort };
}

/**
 * A CallState whose signal (and its timer) exists only once someone asks for it. end() aborts
 * that signal too, so a request still in flight when the call returns does not outlive it.
 */
export function createCallState(init: {
  callId: number;
  log: LogSink;
  event: { id: string; type: string };
  deadline: number;
  profile: string;
  maxExternalBytes: number;
}): CallState & { end(): void } {
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Fields listed one by one: `...init` before methods in a literal costs ~2 us a call in V8.
  return {
    callId: init.callId,
    profile: init.profile,
    maxExternalBytes: init.maxExternalBytes,
    log: init.log,
    event: init.event,
    deadline: init.deadline,
    posted: 0,
    signal() {
      if (!controller) {
        const made = new AbortController();
        controller = made;
        timer = setTimeout(() => made.abort(), Math.max(0, init.deadline - Date.now()));
      }
      return controller.signal;
    },
    end() {
      clearTimeout(timer);
      controller?.abort();
    },
  };
}

export interface CallSlot {
  current: CallState | null;
}

/**
 * What a capability builder may use. Builders run once per hook instance and grants, so
 * they must read anything per call through `call.current`, never capture it.
 */
export interface CapabilityDeps {
  /** This hook's grants: policy as plain data, decided by the daemon. */
  grants: Readonly<HookGrants>;
  hook: { id: string; name: string };
  call: CallSlot;
  /** Posts a SandboxEvent of the current call to the daemon's onEvent; plain data only. */
  post(event: SandboxEvent): void;
  /** Redacts the granted secrets from data that leaves the call; absent without secrets. */
  redact?: Redactor;
}

/** Builds one ctx entry, or returns undefined when the grants do not allow it. */
export type CapabilityBuilder = (deps: CapabilityDeps) => unknown;
