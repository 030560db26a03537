// An outcome off the wire: the hook's value is v8-deserialized where it is used (the daemon for
// a single call, the sandbox host for a chain's steps), never inside a worker's reply path.
import { deserialize } from 'node:v8';
import type { HookOutcome, WireOutcome } from '../protocol.ts';

export function toOutcome(wire: WireOutcome): HookOutcome {
  const { valueBytes, ...rest } = wire;
  if (wire.status !== 'ok') return rest;
  try {
    return { ...rest, value: valueBytes ? deserialize(valueBytes) : undefined };
  } catch (err) {
    return { ...rest, status: 'invalid-result', error: { name: 'InvalidResultError', message: `the hook's result could not be read: ${(err as Error).message}` } };
  }
}
