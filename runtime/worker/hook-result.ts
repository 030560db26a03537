// A hook's return value -> bytes, inside the worker and inside the call: getters and proxies
// run now (under the call's deadline), nothing uncloneable ever reaches piscina's postMessage
// (a DataCloneError there kills the worker), and an oversized result never leaves the worker.
import { deserialize, serialize } from 'node:v8';
import type { OutcomeError } from '../protocol.ts';
import { mayHoldSecret, type Redactor } from './redact.ts';

export type EncodedResult = { ok: true; bytes: Uint8Array } | { ok: false; error: OutcomeError };

/**
 * v8-serializes `value`; refuses what cannot be cloned or is over `maxBytes`. `snapshot` first
 * copies a hook's value to plain data in JavaScript, refusing one too large for serialize()'s
 * native code (a 200 MB string there aborts the sandbox host; see structured-clone.ts).
 */
export function encodeResult(value: unknown, maxBytes: number, describe: (thrown: unknown) => OutcomeError, snapshot?: (value: unknown) => unknown): EncodedResult {
  let bytes: Buffer;
  try {
    bytes = serialize(snapshot ? snapshot(value) : value);
  } catch (thrown) {
    const cause = describe(thrown);
    return {
      ok: false,
      error: { name: 'InvalidResultError', message: `the hook's result cannot be sent: ${cause.message}; return plain data (objects, arrays, strings, numbers)` },
    };
  }
  if (bytes.byteLength > maxBytes) {
    return {
      ok: false,
      error: { name: 'InvalidResultError', message: `the hook's result is ${bytes.byteLength} bytes serialized, over the ${maxBytes}-byte limit` },
    };
  }
  // A copy into an exactly-sized buffer: serialize() may hand back a slice of a larger pool.
  return { ok: true, bytes: new Uint8Array(bytes) };
}

/**
 * An encoded result with granted secrets redacted: only when its bytes may hold one is it read
 * back (plain data now, no hook code runs), redacted and encoded again.
 */
export function redactResult(bytes: Uint8Array, maxBytes: number, redact: Redactor): EncodedResult {
  if (!mayHoldSecret(bytes, redact)) return { ok: true, bytes };
  const value = redact.value(deserialize(bytes));
  return encodeResult(value, maxBytes, (thrown) => ({ message: thrown instanceof Error ? thrown.message : String(thrown) }));
}
