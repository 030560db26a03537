// The most one call into native code (TextEncoder, atob, URL, structuredClone...) may allocate:
// native code allocating near a worker's heap limit cannot be interrupted (nodejs/node#47224),
// so V8 aborts the whole sandbox host. Inputs that could pass the budget are refused in
// JavaScript first. Worker-only.
import { getHeapStatistics } from 'node:v8';
import { hookError } from '../capabilities/capability-errors.ts';
import type { CallSlot } from '../capabilities/call.ts';

const MIB = 1024 * 1024;
/** Below this nothing is checked: no heap is that close to its limit and still running. */
export const ALWAYS_FITS = 256 * 1024;
/** The share of the worker's heap limit one native call may take. */
const HEAP_SHARE = 4;

/** The native budget of this worker now: a quarter of its heap limit, and never more than is free. */
export function nativeBudget(): { budget: number; free: number } {
  const stats = getHeapStatistics();
  return { budget: Math.floor(stats.heap_size_limit / HEAP_SHARE), free: stats.total_available_size };
}

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MiB`;
}

/** Whether native code may allocate `bytes` now (cheap below ALWAYS_FITS: no heap statistics read). */
export function nativeFits(bytes: number): boolean {
  if (bytes <= ALWAYS_FITS) return true;
  const { budget, free } = nativeBudget();
  return bytes <= budget && bytes <= free;
}

/** The refusal a hook sees: catchable, like V8's own "Invalid string length". */
export function overBudgetError(call: CallSlot, what: string, input: string, bytes: number): Error | undefined {
  if (nativeFits(bytes)) return undefined;
  const { budget, free } = nativeBudget();
  const profile = call.current?.profile ?? 'of this worker';
  const bound = bytes > budget
    ? `over the ${mib(budget)} one call may allocate in limit profile "${profile}" (a quarter of runtime.profiles.${profile}.heap)`
    : `over the ${mib(free)} still free in the heap of limit profile "${profile}" (runtime.profiles.${profile}.heap)`;
  return hookError(RangeError, `${what}: ${input} may need ${mib(bytes)}, ${bound}; work on smaller pieces or give the hook a larger profile`);
}

/** Throws overBudgetError's refusal into the hook when there is one. */
export function assertNativeFits(call: CallSlot, what: string, input: string, bytes: number): void {
  const error = overBudgetError(call, what, input, bytes);
  if (error) throw error;
}
