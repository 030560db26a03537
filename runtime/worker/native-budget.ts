// The refusal a hook sees when an input to native code could pass the native budget
// (heap-budget.ts): a catchable RangeError naming the function, the size and the limit
// profile. Worker-only (needs lockdown()'s `harden`).
import { hookError } from '../capabilities/capability-errors.ts';
import type { CallSlot } from '../capabilities/call.ts';
import { MIB, nativeBudget, nativeFits } from './heap-budget.ts';

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MiB`;
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
