// RFC 7396 JSON Merge Patch: how a filter hook changes part of a payload with { patch }.
// Own properties only: "__proto__", "constructor" and "prototype" are ordinary keys, read and
// written as data; no prototype is ever read through or changed.
import { defineOwn } from './json-data.ts';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  // Spread copies own properties as data (an own "__proto__" stays one).
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    else defineOwn(result, key, applyMergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
