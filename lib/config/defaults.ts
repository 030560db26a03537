// Defaults read from the schema's `default` annotations (schema.ts), so no key's default is
// written anywhere else.
import { CONFIG_SCHEMA } from './schema.ts';

interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Fills, in place, what `value` leaves out with the schema's defaults: a missing key takes its
 * default (a copy), then the keys below it theirs, and so do the entries of a mapping of user
 * chosen names (runtime.profiles). Anything present is kept as is, even if invalid: the
 * validator judges it afterwards.
 */
export function applyDefaults(schema: object, value: unknown): unknown {
  return fill(schema as SchemaNode, value);
}

function fill(schema: SchemaNode, value: unknown): unknown {
  const filled = value === undefined && 'default' in schema ? structuredClone(schema.default) : value;
  if (!isPlainObject(filled)) return filled;
  const known = schema.properties ?? {};
  for (const [key, child] of Object.entries(known)) {
    const before = Object.hasOwn(filled, key) ? filled[key] : undefined;
    const after = fill(child, before);
    if (after !== before) filled[key] = after;
  }
  const entry = schema.additionalProperties;
  if (typeof entry === 'object') {
    for (const key of Object.keys(filled)) if (!Object.hasOwn(known, key)) fill(entry, filled[key]);
  }
  return filled;
}

/** Every key's default: the configuration with no file at all. */
export function configDefaults(): Record<string, unknown> {
  return applyDefaults(CONFIG_SCHEMA, {}) as Record<string, unknown>;
}
