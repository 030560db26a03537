// A limit profile's bound on memory outside the V8 heap (ArrayBuffer backing stores), which
// resourceLimits do not count. Node 20 reports it per isolate, so inside a worker thread it is
// this worker's. Checked at the end of each call and at each capability call; past the bound
// the call is `oom` and the worker is replaced (worker.ts). Worker-only.
import { getHeapStatistics } from 'node:v8';
import { hookError } from '../capabilities/capability-errors.ts';
import type { CallSlot } from '../capabilities/call.ts';

const MIB = 1024 * 1024;

/** The bound of one call, from its task. */
export interface ExternalLimit {
  profile: string;
  maxExternalBytes: number;
}

/** Why this worker holds too much external memory now, or undefined (about 0.6 us). */
export function externalMemoryProblem(limit: ExternalLimit): string | undefined {
  const used = getHeapStatistics().external_memory;
  if (used <= limit.maxExternalBytes) return undefined;
  return (
    `the hook holds ${Math.round(used / MIB)} MiB of ArrayBuffers and other memory outside its heap, over the ` +
    `${Math.round(limit.maxExternalBytes / MIB)} MiB of its limit profile "${limit.profile}" (runtime.profiles.${limit.profile}.external); ` +
    'free buffers you no longer need (a module-level variable keeps them across calls) or give it a larger profile'
  );
}

/**
 * Called first by every capability (ctx.log, console, ctx.progress, ctx.emit, ctx.fetch): a hook
 * over its bound is stopped there. The call is marked (catching the error does not help: it
 * ends `oom`) and the error thrown into the hook.
 */
export function checkExternalMemory(call: CallSlot, what: string): void {
  const current = call.current;
  if (!current) return; // a stray callback: the capability does nothing anyway
  if (current.memoryExceeded === undefined) {
    const problem = externalMemoryProblem(current);
    if (problem === undefined) return;
    current.memoryExceeded = `stopped at ${what}: ${problem}`;
  }
  throw hookError(RangeError, current.memoryExceeded, { name: 'OutOfMemoryError' });
}
