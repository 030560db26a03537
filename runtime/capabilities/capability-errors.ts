// Errors a capability throws into a hook, and the record of refused uses. Thrown values are
// fresh, hardened and carry only strings: no host object (a Node error, a socket) ever reaches a
// hook through them. Worker-only (needs lockdown()'s `harden`).
import type { CallSlot } from './call.ts';
import type { HookDenial } from '../protocol.ts';

/** At most this many denials are kept per call: a hook retrying in a loop cannot grow the reply. */
export const MAX_DENIALS_PER_CALL = 20;

type ErrorClass = new (message: string) => Error;

/** A hardened error of the shared intrinsic class `Class`, with an optional name and code. */
export function hookError(Class: ErrorClass, message: string, extra: { name?: string; code?: string } = {}): Error {
  const error = new Class(message);
  if (extra.name) Object.defineProperty(error, 'name', { value: extra.name, enumerable: false, writable: true, configurable: true });
  if (extra.code) Object.defineProperty(error, 'code', { value: extra.code, enumerable: true, writable: true, configurable: true });
  return harden(error);
}

/**
 * Records a refused use on the running call (the invocation keeps it even if the hook catches the
 * error) and returns the PermissionDeniedError to throw.
 */
export function denyCapability(call: CallSlot, capability: HookDenial['capability'], target: string, message: string): Error {
  const current = call.current;
  if (current) {
    const denials = (current.denials ??= []);
    if (denials.length < MAX_DENIALS_PER_CALL) denials.push({ capability, target, message, at: new Date().toISOString() });
  }
  return hookError(Error, message, { name: 'PermissionDeniedError', code: 'PERMISSION_DENIED' });
}

/** The error for a capability used by a stray callback after its call returned. */
export function callEndedError(what: string): Error {
  return hookError(Error, `${what} was called after the hook call ended; await it inside the hook function`);
}
