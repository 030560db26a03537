// The hook-facing API: the hardened `ctx` a hook receives as its second argument. Built once
// per hook instance and grants (hardening per call costs more than the call itself); what
// changes per call (log, signal, event) is read through a CallSlot. Capabilities beyond
// logging are granted per task (`task.grants`) and assembled here, in one table.
// Worker-only (needs lockdown()'s `harden`).
import type { MessagePort } from 'node:worker_threads';
import { buildApps } from './ctx-apps.ts';
import { buildEmit } from './ctx-emit.ts';
import { buildEnv } from './ctx-env.ts';
import { buildFetch } from './ctx-fetch.ts';
import { buildProgress, type ProgressBuffer } from './ctx-progress.ts';
import { checkExternalMemory } from '../worker/external-memory.ts';
import type { LogLevel, LogSink } from '../worker/log-sink.ts';
import type { AppReply, EmittedEvent, HookDenial, HookGrants, SandboxEvent } from '../protocol.ts';
import type { Redactor } from '../worker/redact.ts';

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

/** The extension point: one entry per ctx capability, each gated on its grant. */
const CAPABILITIES: Readonly<Record<string, CapabilityBuilder>> = Object.freeze({
  progress: buildProgress,
  emit: buildEmit,
  fetch: buildFetch,
  env: buildEnv,
  apps: buildApps,
});

/** The AbortSignal a hook sees: read-only, no host EventTarget reachable from it. */
export interface HookSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: string, listener: unknown): void;
  removeEventListener(type: string, listener: unknown): void;
}

/**
 * `ctx` as hook authors use it:
 * ```js
 * export default async function (event, ctx) {
 *   ctx.log.info('got', event.type, 'for', ctx.hook.name);
 *   if (ctx.signal.aborted) return;
 *   return { ok: true };
 * }
 * ```
 * - `ctx.log.{debug,info,warn,error}(...args)`: lines in this call's invocation log.
 * - `ctx.hook`: `{ id, name }` of the running hook.
 * - `ctx.signal`: aborts when the call reaches its deadline; stop work when it does.
 * - `ctx.progress`, `ctx.emit`, `ctx.fetch`, `ctx.env`, `ctx.apps`: only with their grants; see
 *   ctx-progress.ts, ctx-emit.ts, ctx-fetch.ts, ctx-env.ts and ctx-apps.ts.
 */
export interface HookContext {
  log: Record<LogLevel, (...args: unknown[]) => void>;
  hook: { id: string; name: string };
  signal: HookSignal;
  [capability: string]: unknown;
}

let deadlineReason: Error | undefined;

// Created on first use: an Error costs a stack capture, most calls never ask for it.
function getDeadlineReason(): Error {
  deadlineReason ??= harden(Object.assign(new Error('the hook call reached its deadline'), { name: 'TimeoutError' }));
  return deadlineReason;
}

// Between calls (a stray callback) a hook counts as out of time.
function isPastDeadline(call: CallSlot): boolean {
  const current = call.current;
  return current === null || Date.now() >= current.deadline;
}

function createSignalFacade(call: CallSlot): HookSignal {
  // The hook's listener -> our wrapper on the current call's real signal, so that removal works
  // and a throwing listener never becomes the worker's uncaught exception.
  const wrappers = new WeakMap<object, () => void>();
  return {
    get aborted() {
      return isPastDeadline(call);
    },
    get reason() {
      return isPastDeadline(call) ? getDeadlineReason() : undefined;
    },
    throwIfAborted() {
      if (isPastDeadline(call)) throw getDeadlineReason();
    },
    addEventListener(type, listener) {
      const signal = call.current?.signal();
      if (type !== 'abort' || typeof listener !== 'function' || !signal) return;
      const wrapper = () => {
        try {
          Reflect.apply(listener, undefined, [harden({ type: 'abort' })]);
        } catch {
          // the hook's own problem, and it is out of time anyway
        }
      };
      wrappers.set(listener, wrapper);
      signal.addEventListener('abort', wrapper, { once: true });
    },
    removeEventListener(type, listener) {
      if (type !== 'abort' || typeof listener !== 'function') return;
      const wrapper = wrappers.get(listener);
      if (wrapper) call.current?.signal().removeEventListener('abort', wrapper);
    },
  };
}

function createLogApi(call: CallSlot): HookContext['log'] {
  const write = (level: LogLevel) => (...args: unknown[]) => {
    checkExternalMemory(call, 'ctx.log');
    call.current?.log.write(level, args);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A hardened ctx for one hook instance and one set of grants. */
export function createHookContext(deps: CapabilityDeps): HookContext {
  const ctx: HookContext = {
    log: createLogApi(deps.call),
    hook: { id: deps.hook.id, name: deps.hook.name },
    signal: createSignalFacade(deps.call),
  };
  for (const [name, build] of Object.entries(CAPABILITIES)) {
    const capability = build(deps);
    if (capability !== undefined) ctx[name] = capability;
  }
  return harden(ctx);
}
