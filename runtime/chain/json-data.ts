// The one rule for a value from a hook as JSON that hookd stores: a plain-JSON copy made under
// a size and depth budget. Pure; lives in runtime/ because the sandbox host judges a filter
// chain's outputs with it (chain/filter-judge.ts) and the daemon its other values (through
// runtime/index.ts). The walk uses an explicit stack, so no input can overflow the call stack.
import type { PayloadLimits } from '../protocol.ts';
import { pointerOf, type PointerNode } from '../worker/json-depth.ts';

/**
 * Depth counts containers: `1` and `"x"` are 0 deep, `{}` and `[]` are 1, `{"a":[]}` is 2.
 * maxBytes is a lower bound of the JSON text's length (each value counts 1, strings and keys their length).
 */
export type JsonLimits = PayloadLimits;

/** `size`: what the copy counted against maxBytes (the lower bound of its JSON text's length). */
export type JsonDataResult = { ok: true; value: unknown; size: number } | { ok: false; message: string; pointer: string };

/** Sets `key` as an own data property: `__proto__` stays a plain key, never a prototype. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

interface Frame extends PointerNode {
  source: Record<string, unknown> | unknown[];
  target: Record<string, unknown> | unknown[];
  /** Own enumerable keys of an object source; undefined for arrays. */
  keys: string[] | undefined;
  length: number;
  next: number;
  depth: number;
}

type Converted = { value: unknown; frame?: undefined } | { value: object; frame: Frame };

const TAG = Object.prototype.toString;

/**
 * A plain JSON copy of a value that came from a hook (v8-deserialized, or parsed from a
 * command's stdout), with JSON's own conversions: a Date becomes its ISO string, boxed
 * primitives their primitive, -0 becomes 0, `undefined` is left out of objects and is `null`
 * in arrays (as are holes). What JSON cannot represent (BigInt, NaN, Infinity, Map, Set,
 * typed arrays, functions...) is refused with its pointer, as is a value nested deeper than
 * maxDepth (cycles included) or larger than maxBytes. Shared references are copied each time
 * they occur and counted against the budget, so a small graph cannot expand without bound.
 */
export function toJsonData(root: unknown, limits: JsonLimits): JsonDataResult {
  try {
    return copyAsJson(root, limits);
  } catch (err) {
    // Only exotic objects (a proxy's trap) can throw here; none arrive by v8 deserialize.
    return { ok: false, message: `the value cannot be read: ${err instanceof Error ? err.message : 'it threw'}`, pointer: '' };
  }
}

function copyAsJson(root: unknown, limits: JsonLimits): JsonDataResult {
  let budget = limits.maxBytes;
  let failure: { ok: false; message: string; pointer: string } | undefined;
  const refuse = (message: string, parent: Frame | undefined, key: string | undefined): undefined => {
    failure = { ok: false, message, pointer: pointerOf(parent, key) };
    return undefined;
  };
  const tooLarge = (parent: Frame | undefined, key: string | undefined) =>
    refuse(`the value is larger than ${limits.maxBytes} bytes as JSON`, parent, key);

  // One value: a JSON primitive, a fresh container to fill (with its frame), or a refusal.
  function convert(value: unknown, parent: Frame | undefined, key: string | undefined): Converted | undefined {
    budget -= 1;
    if (budget < 0) return tooLarge(parent, key);
    switch (typeof value) {
      case 'string':
        budget -= value.length;
        return budget < 0 ? tooLarge(parent, key) : { value };
      case 'number':
        if (!Number.isFinite(value)) return refuse(`${String(value)} cannot be stored: JSON has no NaN or Infinity`, parent, key);
        return { value: value === 0 ? 0 : value };
      case 'boolean':
      case 'undefined':
        return { value };
      case 'bigint':
        return refuse('a BigInt cannot be stored: JSON has no BigInt; use a number or a string', parent, key);
      case 'symbol':
      case 'function':
        return refuse(`a ${typeof value} cannot be stored as JSON`, parent, key);
    }
    if (value === null) return { value: null };
    const tag = TAG.call(value);
    if (tag === '[object Date]') {
      const time = (value as Date).getTime();
      if (Number.isNaN(time)) return refuse('an invalid Date cannot be stored as JSON', parent, key);
      return { value: new Date(time).toISOString() };
    }
    if (tag === '[object String]' || tag === '[object Number]' || tag === '[object Boolean]') {
      return convert((value as { valueOf(): unknown }).valueOf(), parent, key);
    }
    const depth = (parent?.depth ?? 0) + 1;
    if (depth > limits.maxDepth) return refuse(`the value is nested deeper than ${limits.maxDepth} levels (or refers to itself)`, parent, key);
    const base = { parent, key: key ?? '', next: 0, depth };
    if (Array.isArray(value)) {
      if (value.length > budget) return tooLarge(parent, key);
      const target: unknown[] = [];
      return { value: target, frame: { ...base, source: value, target, keys: undefined, length: value.length } };
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return refuse(`a value of type ${tag.slice(8, -1)} cannot be stored as JSON: use plain objects and arrays`, parent, key);
    }
    const keys = Object.keys(value as object);
    const target: Record<string, unknown> = {};
    return { value: target, frame: { ...base, source: value as Record<string, unknown>, target, keys, length: keys.length } };
  }

  const top = convert(root, undefined, undefined);
  if (!top) return failure!;
  const stack: Frame[] = top.frame ? [top.frame] : [];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next >= frame.length) {
      stack.pop();
      continue;
    }
    const index = frame.next++;
    const { keys } = frame;
    const key = keys ? keys[index]! : String(index);
    if (keys) {
      budget -= key.length + 3;
      if (budget < 0) return (tooLarge(frame, key), failure!);
    }
    const child = convert(keys ? (frame.source as Record<string, unknown>)[key] : (frame.source as unknown[])[index], frame, key);
    if (!child) return failure!;
    if (!keys) (frame.target as unknown[]).push(child.value === undefined ? null : child.value);
    else if (child.value !== undefined) defineOwn(frame.target as Record<string, unknown>, key, child.value);
    if (child.frame) stack.push(child.frame);
  }
  return { ok: true, value: top.value, size: limits.maxBytes - budget };
}
