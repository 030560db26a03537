// The one judge of a filter's output, wherever the chain runs (the sandbox host for a chain of
// module hooks, the daemon for command hooks, dry runs, replays and `hookd run-hook`): a hook
// returns a whole new payload, { patch } (RFC 7396), or nothing. Output that is not bounded
// JSON data, or that the type's schema refuses, is discarded with a message. Pure.
import { findTooDeep } from '../worker/json-depth.ts';
import { toJsonData, type JsonLimits } from './json-data.ts';
import { applyMergePatch } from './merge-patch.ts';
import type { Validator } from './payload-schema.ts';

/** { patch } alone is a merge patch; any other value is a whole new payload. */
function isPatch(value: unknown): value is { patch: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'patch';
}

/**
 * An accepted output's payload and, in `asJson`, the hook's value as JSON data exactly as
 * keepResultAsJson (step-outcome.ts) would copy it, when the judge's own copy already is that:
 * the value is then kept without being copied a second time.
 */
export type FilterJudgement = { ok: true; payload: unknown; asJson?: { value: unknown } } | { ok: false; message: string };

/** The event type a filter's output is judged for: its name (for messages) and its schema's check. */
export interface PayloadType {
  name: string;
  validate: Validator;
}

// What { patch } adds to its contents' size as toJsonData counts it: the object (1) and its key (5 + 3).
const PATCH_WRAPPER_SIZE = 9;

/**
 * The judge's copy as keepResultAsJson's: that one copies the whole value one level deeper and
 * within the same maxBytes, so a whole payload the judge accepted copies the same, and a
 * patch does while its contents leave room for the wrapper (else the value is copied, and refused).
 */
function keptAsJson(patch: boolean, copy: unknown, size: number, limits: JsonLimits): { asJson?: { value: unknown } } {
  if (!patch) return { asJson: { value: copy } };
  if (size + PATCH_WRAPPER_SIZE > limits.maxBytes) return {};
  // toJsonData leaves an undefined property out of an object.
  return { asJson: { value: copy === undefined ? {} : { patch: copy } } };
}

/**
 * A filter's output as the chain judges it: the payload it leads to, or why it is discarded.
 * What is judged is exactly what would be stored: the value as JSON data first (a hook's value
 * arrives by v8 deserialize and may hold a BigInt, a Map, NaN...), then the resulting payload's
 * depth and schema, so an accepted payload is always schema-valid JSON.
 */
export function judgeFilterOutput(type: PayloadType, current: unknown, value: unknown, limits: JsonLimits): FilterJudgement {
  if (value === undefined || value === null) return { ok: true, payload: current, asJson: { value } };
  const patch = isPatch(value);
  const data = toJsonData(patch ? value.patch : value, limits);
  if (!data.ok) return { ok: false, message: `output discarded: ${data.message}${data.pointer || patch ? ` (at ${patch ? '/patch' : ''}${data.pointer})` : ''}` };
  const payload = patch ? applyMergePatch(current, data.value) : data.value;
  // A patch never nests deeper than the payload and itself; checked anyway, it is what is stored.
  const deep = findTooDeep(payload, limits.maxDepth);
  if (deep !== undefined) {
    return { ok: false, message: `output discarded: the payload would be nested more than ${limits.maxDepth} levels deep at ${deep} (config events.maxDepth)` };
  }
  const problems = type.validate(payload);
  if (problems.length === 0) return { ok: true, payload, ...keptAsJson(patch, data.value, data.size, limits) };
  return {
    ok: false,
    message: `output discarded: it does not match the schema of "${type.name}": ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`,
  };
}

/**
 * A check's word on an ok value: refused (recorded as invalid-output with the message), or
 * accepted; `asJson` is the value as JSON data when the check already made exactly the copy
 * keepResultAsJson would, so it is not made twice.
 */
export type CheckVerdict = { refused: string; asJson?: undefined } | { refused?: undefined; asJson?: { value: unknown } };

/**
 * The check of a filter's ok value (chain, dry runs, replays): refused with the judge's
 * message, or accepted, `accept` told the payload it leads to.
 */
export function filterOutputCheck(type: PayloadType, current: unknown, limits: JsonLimits, accept: (payload: unknown) => void): (value: unknown) => CheckVerdict {
  return (value) => {
    const judged = judgeFilterOutput(type, current, value, limits);
    if (!judged.ok) return { refused: judged.message };
    accept(judged.payload);
    return judged.asJson ? { asJson: judged.asJson } : {};
  };
}
