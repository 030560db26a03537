// ctx.emit: records business events a hook wants raised. They leave the worker with the call's
// outcome (HookOutcome.emitted); the daemon decides the allowed types (grants.emit.types) and
// applies causation, depth and loop guards. Worker-only (needs lockdown()'s `harden`).
import { callEndedError, denyCapability, hookError } from './capability-errors.ts';
import type { CapabilityDeps } from './call.ts';
import { parseRedacted } from '../worker/redact.ts';
import { checkExternalMemory } from '../worker/external-memory.ts';
import { findTooDeep } from '../worker/json-depth.ts';
import { stringifyWithin, TOO_LONG } from '../worker/bounded-json.ts';

/** Events one call may emit; one more is a RangeError in the hook. */
export const MAX_EMITS_PER_CALL = 100;
/** One payload's size as JSON. */
export const MAX_EMIT_PAYLOAD_BYTES = 64 * 1024;

function quoteList(types: ReadonlySet<string>): string {
  return types.size === 0 ? 'none' : [...types].map((t) => `"${t}"`).join(', ');
}

/**
 * `ctx.emit(type, payload)`: asks the daemon to raise business event `type` once this call
 * returns. Granted by `grants.emit: { types: [...] }`.
 *
 * ```js
 * export default async function (event, ctx) {
 *   const found = await lookUp(event.payload.title);
 *   if (found) ctx.emit('media.matched', { id: event.payload.id, tmdbId: found.id });
 * }
 * ```
 * - `type` must be one of the granted types, or it throws
 *   `emit of "x.y" not allowed: this hook may emit "a.b"` (the refusal is also recorded).
 * - `payload` is JSON data, copied at the time of the call (later changes do not count), at
 *   most 64 KiB as JSON and nested at most `events.maxDepth` (64) levels deep; `undefined`
 *   becomes `null`. At most 100 emits per call. Values granted through `ctx.env` are replaced by
 *   `[redacted]` in it.
 * - The events are raised only if the call ends (`ok`, or with an error it threw); the emits of
 *   a call that times out, runs out of memory or crashes are lost.
 */
export type HookEmit = (type: string, payload?: unknown) => void;

export function buildEmit(deps: CapabilityDeps): HookEmit | undefined {
  const grant = deps.grants.emit;
  if (!grant || !Array.isArray(grant.types)) return undefined;
  const allowed: ReadonlySet<string> = new Set(grant.types.filter((t): t is string => typeof t === 'string'));
  const { call } = deps;
  return function emit(type, payload) {
    const current = call.current;
    if (!current) throw callEndedError('ctx.emit');
    checkExternalMemory(call, 'ctx.emit');
    if (typeof type !== 'string' || type === '') throw hookError(TypeError, 'ctx.emit: the event type must be a non-empty string such as "media.matched"');
    if (!allowed.has(type)) {
      throw denyCapability(call, 'emit', type, `emit of "${type.slice(0, 200)}" not allowed: this hook may emit ${quoteList(allowed)}`);
    }
    const emitted = (current.emitted ??= []);
    if (emitted.length >= MAX_EMITS_PER_CALL) throw hookError(RangeError, `ctx.emit: at most ${MAX_EMITS_PER_CALL} events per call`);
    const tooLarge = () => hookError(RangeError, `ctx.emit: the payload of "${type}" is over ${MAX_EMIT_PAYLOAD_BYTES} bytes as JSON`);
    let json: string | undefined;
    try {
      json = stringifyWithin(payload === undefined ? null : payload, MAX_EMIT_PAYLOAD_BYTES);
    } catch (err) {
      if (err === TOO_LONG) throw tooLarge();
      throw hookError(TypeError, `ctx.emit: the payload of "${type}" must be JSON data: ${err instanceof Error ? err.message : 'it could not be serialized'}`);
    }
    if (json === undefined) throw hookError(TypeError, `ctx.emit: the payload of "${type}" must be JSON data (not a function or symbol)`);
    if (json.length > MAX_EMIT_PAYLOAD_BYTES || Buffer.byteLength(json, 'utf8') > MAX_EMIT_PAYLOAD_BYTES) {
      throw tooLarge();
    }
    // A granted secret never reaches a stored event or a webhook.
    const parsed: unknown = parseRedacted(json, deps.redact);
    // Checked here: a payload too deep would be refused by the daemon anyway, and one deep
    // enough breaks the structured clone that carries the call's reply out of this thread.
    const deep = deps.grants.maxJsonDepth === undefined ? undefined : findTooDeep(parsed, deps.grants.maxJsonDepth);
    if (deep !== undefined) {
      throw hookError(RangeError, `ctx.emit: the payload of "${type}" is nested more than ${deps.grants.maxJsonDepth} levels deep at ${deep}`);
    }
    emitted.push({ type, payload: parsed });
  };
}
