// The hook-facing API: the hardened `ctx` a hook receives as its second argument. Built once
// per hook instance and grants (hardening per call costs more than the call itself); what
// changes per call (log, signal, event) is read through a CallSlot (call.ts). Capabilities beyond
// logging are granted per task (`task.grants`) and assembled here, in one table.
// Worker-only (needs lockdown()'s `harden`).
import { buildApps } from './ctx-apps.ts';
import { buildEmit } from './ctx-emit.ts';
import { buildEnv } from './ctx-env.ts';
import { buildFetch } from './ctx-fetch.ts';
import { buildProgress } from './ctx-progress.ts';
import { checkExternalMemory } from '../worker/external-memory.ts';
import type { LogLevel } from '../worker/log-sink.ts';
import type { CallSlot, CapabilityBuilder, CapabilityDeps } from './call.ts';

/** The extension point: one entry per ctx capability, each gated on its grant. */
const CAPABILITIES = Object.freeze({
  progress: buildProgress,
  emit: buildEmit,
  fetch: buildFetch,
  env: buildEnv,
  apps: buildApps,
}) satisfies Readonly<Record<string, CapabilityBuilder>>;

/**
 * Each ctx capability as its builder makes it when granted: what types/hookd.d.ts publishes to
 * hook authors (test/types/hookd-types.test.ts fails the typecheck when the two disagree).
 */
export type HookCapabilities = { [K in keyof typeof CAPABILITIES]: NonNullable<ReturnType<(typeof CAPABILITIES)[K]>> };

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
