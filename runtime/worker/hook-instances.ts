// Per-worker cache of evaluated hook modules, keyed by hook id and content hash: a warm call
// reuses the module instance (and its module state) instead of evaluating the source again,
// and its task need not carry the compiled record (the host sends it only on a miss).
// Each hook id gets its own Compartment, so hooks never share globals or module state.
import type { CallSlot } from '../capabilities/call.ts';
import type { HookContext } from '../capabilities/ctx.ts';
import { createHookGlobals } from './hook-globals.ts';
import type { HookRef } from '../protocol.ts';

export interface HookInstance {
  fn: Function;
  call: CallSlot;
  /** The hardened ctx, rebuilt only when the grants (or the hook's name) change. */
  context?: { key: string; ctx: HookContext };
  /** The name the hook's frames carry in V8 stacks (client/compile.ts's sourceURL). */
  sourceUrl: string;
  /** Columns on line 1 taken by the module wrapper ModuleSource puts before the author's code. */
  lineOneOffset: number;
}

const SOURCE_URL = /\/\/# sourceURL=([^\n]*)\n?$/;
// ModuleSource's program opens with its functor header; the author's code starts after it.
const PROGRAM_PREAMBLE = /^[^\n]*?_imports\(\[\]\);/;

/** Thrown for a module whose default export is not callable: the hook's fault, reported as `error`. */
export class HookShapeError extends Error {
  override name = 'HookShapeError';
}

export function createInstanceCache(deps: { maxEntries: number }) {
  const entries = new Map<string, HookInstance>();
  const keyByHook = new Map<string, string>();

  /**
   * The instance for this hook version, evaluating the module on a miss. `beforeEvaluate`
   * runs first so top-level code already logs into the calling invocation.
   */
  async function getInstance(hookId: string, hook: HookRef, beforeEvaluate: (call: CallSlot) => void): Promise<HookInstance> {
    const key = keyOf(hookId, hook);
    const hit = entries.get(key);
    if (hit) {
      entries.delete(key);
      entries.set(key, hit); // most recently used last
      beforeEvaluate(hit.call);
      return hit;
    }
    if (hook.record === undefined) throw new Error(`hook ${hookId}: no instance and no record (the caller checks has() first)`);
    const old = keyByHook.get(hookId);
    if (old !== undefined) entries.delete(old); // an edited hook: drop the stale version
    const record = hook.record as { __syncModuleProgram__?: unknown };
    const program = typeof record.__syncModuleProgram__ === 'string' ? record.__syncModuleProgram__ : '';
    const sourceUrl = SOURCE_URL.exec(program)?.[1] ?? hook.filename;
    const lineOneOffset = PROGRAM_PREAMBLE.exec(program)?.[0].length ?? 0;
    const call: CallSlot = { current: null };
    const compartment = new Compartment({
      __options__: true,
      name: `hook ${hookId}`,
      globals: createHookGlobals(call),
      modules: { hook: { source: hook.record as never } },
    });
    beforeEvaluate(call);
    const { namespace } = (await compartment.import('hook')) as unknown as { namespace: { default?: unknown } };
    const fn = namespace.default;
    if (typeof fn !== 'function') {
      throw new HookShapeError('the default export of a hook must be a function: export default async function (event, ctx) { ... }');
    }
    const instance: HookInstance = { fn, call, sourceUrl, lineOneOffset };
    entries.set(key, instance);
    keyByHook.set(hookId, key);
    if (entries.size > deps.maxEntries) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
      keyByHook.delete(oldest.slice(0, oldest.indexOf('\0')));
    }
    return instance;
  }

  return {
    getInstance,
    /** Whether a call of this hook version can run without its record. */
    has: (hookId: string, hook: HookRef) => entries.has(keyOf(hookId, hook)),
  };
}

function keyOf(hookId: string, hook: HookRef): string {
  return `${hookId}\0${hook.hash}\0${hook.filename}`;
}
