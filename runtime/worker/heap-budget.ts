// The most one call into native code (TextEncoder, atob, URL, structuredClone, JSON, serialize...)
// may allocate: native code allocating near a worker's heap limit cannot be interrupted
// (nodejs/node#47224), so V8 aborts the whole sandbox host. Inputs that could pass it are
// refused in JavaScript first (native-budget.ts). Worker-only; imports nothing of ours.
import { getHeapStatistics } from 'node:v8';

export const MIB = 1024 * 1024;
/** Below this nothing is checked: no heap is that close to its limit and still running. */
export const ALWAYS_FITS = 256 * 1024;
/** What a string of n characters may take once native code flattens it (two-byte strings). */
export const STRING_BYTES_PER_CHAR = 2;
/** The share of the worker's heap limit one native call may take. */
const HEAP_SHARE = 4;

/** The native budget of this worker now: a quarter of its heap limit, and never more than is free. */
export function nativeBudget(): { budget: number; free: number } {
  const stats = getHeapStatistics();
  return { budget: Math.floor(stats.heap_size_limit / HEAP_SHARE), free: stats.total_available_size };
}

/** Whether native code may allocate `bytes` now (cheap below ALWAYS_FITS: no heap statistics read). */
export function nativeFits(bytes: number): boolean {
  if (bytes <= ALWAYS_FITS) return true;
  const { budget, free } = nativeBudget();
  return bytes <= budget && bytes <= free;
}

/** Whether native code may flatten (read, copy, redact) a string of `length` characters now. */
export function stringFits(length: number): boolean {
  return nativeFits(length * STRING_BYTES_PER_CHAR);
}
