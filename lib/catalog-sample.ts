// A sample payload for each catalog type (GET /catalog, the dashboard's catalog page): the
// first of the schema's own `examples` (JSON Schema's annotation) that validates, else a
// minimal payload built from the schema (required properties, the first enum value, formats).
// A sample is only ever answered once the type's own validator accepted it: a schema this
// builder cannot satisfy (a pattern, `not`, ...) gets no sample rather than a wrong one.
import type { Catalog, CatalogType } from './catalog.ts';

type Schema = Record<string, unknown>;

/** Deep enough for any payload a person reads; deeper required objects end as {}. */
const MAX_DEPTH = 8;

// Values for the formats draft-07 names (ajv-formats checks them).
const FORMAT_SAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2025-01-01T12:00:00Z',
  date: '2025-01-01',
  time: '12:00:00Z',
  email: 'user@example.org',
  'idn-email': 'user@example.org',
  hostname: 'example.org',
  'idn-hostname': 'example.org',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.org/',
  'uri-reference': 'https://example.org/',
  iri: 'https://example.org/',
  'iri-reference': 'https://example.org/',
  url: 'https://example.org/',
  uuid: '00000000-0000-4000-8000-000000000000',
  'json-pointer': '/a',
  regex: '.*',
  duration: '5s',
  size: '1MiB',
};

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A minimal value the schema accepts, as far as its keywords say; `name` words a string. */
export function buildSample(schema: unknown, root: unknown = schema, name = 'value', depth = 0): unknown {
  if (schema === true || schema === undefined) return depth === 0 ? {} : null;
  if (!isObject(schema)) return null;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema) return schema.default;
  if (typeof schema.$ref === 'string') return buildSample(resolveRef(root, schema.$ref), root, name, depth + 1);
  if (Array.isArray(schema.allOf)) return buildSample(mergeAll(schema), root, name, depth);
  // anyOf / oneOf: the first choice, with the schema's own keywords (as an allOf of the two).
  for (const key of ['anyOf', 'oneOf'] as const) {
    const choices = schema[key];
    if (Array.isArray(choices) && choices.length > 0) {
      const { [key]: _choices, ...own } = schema;
      return buildSample(mergeAll({ ...own, allOf: [choices[0]] }), root, name, depth);
    }
  }
  switch (typeOf(schema)) {
    case 'object': return objectSample(schema, root, depth);
    case 'array': return arraySample(schema, root, name, depth);
    case 'string': return stringSample(schema, name);
    case 'integer': return numberSample(schema, true);
    case 'number': return numberSample(schema, false);
    case 'boolean': return false;
    default: return null;
  }
}

/** The type to build: the first listed that is not null, or what the keywords imply. */
function typeOf(schema: Schema): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const chosen = types.find((t) => t !== 'null') ?? types[0];
  if (chosen !== undefined) return chosen as string;
  if (schema.properties !== undefined || schema.required !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function objectSample(schema: Schema, root: unknown, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth >= MAX_DEPTH) return out;
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const wanted = Math.max(required.length, typeof schema.minProperties === 'number' ? schema.minProperties : 0);
  const names = [...required, ...Object.keys(properties).filter((n) => !required.includes(n))].slice(0, wanted);
  for (const key of names) {
    const sub = key in properties ? properties[key] : isObject(schema.additionalProperties) ? schema.additionalProperties : true;
    out[key] = buildSample(sub, root, key, depth + 1);
  }
  return out;
}

function arraySample(schema: Schema, root: unknown, name: string, depth: number): unknown[] {
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  if (Array.isArray(schema.items)) return schema.items.slice(0, Math.max(min, schema.items.length)).map((s) => buildSample(s, root, name, depth + 1));
  return Array.from({ length: min }, () => buildSample(schema.items ?? true, root, name, depth + 1));
}

function stringSample(schema: Schema, name: string): string {
  const format = typeof schema.format === 'string' ? FORMAT_SAMPLES[schema.format] : undefined;
  let text = format ?? name;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  while (text.length < min) text += 'x';
  return text.slice(0, max);
}

function numberSample(schema: Schema, integer: boolean): number {
  const num = (k: string) => (typeof schema[k] === 'number' ? (schema[k] as number) : undefined);
  const step = num('multipleOf') ?? (integer ? 1 : undefined);
  const low = num('minimum') ?? (num('exclusiveMinimum') !== undefined ? num('exclusiveMinimum')! + (step ?? 1) : undefined);
  const high = num('maximum') ?? (num('exclusiveMaximum') !== undefined ? num('exclusiveMaximum')! - (step ?? 1) : undefined);
  let value = low ?? (high !== undefined && high < 0 ? high : 0);
  if (step !== undefined) value = Math.ceil(value / step) * step;
  return integer ? Math.ceil(value) : value;
}

/** A local reference (#/definitions/x, #/$defs/x); anything else builds nothing. */
function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let at: unknown = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    if (!isObject(at)) return undefined;
    at = at[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return at;
}

/** allOf as one schema: its own keywords and each part's, properties and required merged. */
function mergeAll(schema: Schema): Schema {
  const { allOf, ...own } = schema;
  const merged: Schema = { ...own, properties: { ...(isObject(own.properties) ? own.properties : {}) }, required: [...(Array.isArray(own.required) ? own.required : [])] };
  for (const part of allOf as unknown[]) {
    if (!isObject(part)) continue;
    const { properties, required, ...rest } = part;
    Object.assign(merged, rest, merged.type === undefined ? {} : { type: merged.type });
    Object.assign(merged.properties as Schema, isObject(properties) ? properties : {});
    (merged.required as string[]).push(...(Array.isArray(required) ? required : []));
  }
  return merged;
}

export interface CatalogSample {
  /** A payload the type's schema accepts. */
  sample: unknown;
  /** example: the schema's own `examples`; generated: built from the schema. */
  sampleFrom: 'example' | 'generated';
}

/** The sample of one type, checked by the type's own validator; undefined when none passes. */
export function sampleFor(catalog: Catalog, type: CatalogType): CatalogSample | undefined {
  const examples = isObject(type.schema) && Array.isArray(type.schema.examples) ? type.schema.examples : [];
  const valid = (value: unknown) => catalog.validate(type.name, value).length === 0;
  const example = examples.find(valid);
  if (example !== undefined) return { sample: example, sampleFrom: 'example' };
  // The examples were tried above: build from the rest of the schema.
  const { examples: _tried, ...rest } = isObject(type.schema) ? type.schema : { examples: undefined };
  const built = buildSample(isObject(type.schema) ? rest : type.schema);
  return valid(built) ? { sample: built, sampleFrom: 'generated' } : undefined;
}

/**
 * Every type of the catalog with its sample, built on the first call and kept. Checking a
 * sample compiles its type's validator (about 10 ms each, 0.7 s for the default catalog's 78):
 * one type per turn of the event loop, so events keep flowing meanwhile.
 */
export function createCatalogSamples(catalog: Catalog): () => Promise<Array<CatalogType & Partial<CatalogSample>>> {
  let listed: Promise<Array<CatalogType & Partial<CatalogSample>>> | undefined;
  async function build() {
    const out: Array<CatalogType & Partial<CatalogSample>> = [];
    for (const type of catalog.list()) {
      out.push({ ...type, ...sampleFor(catalog, type) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }
  return () => {
    if (listed === undefined) {
      listed = build();
      // A failure (none is expected: every step is pure) is not kept: the next call tries again.
      listed.catch(() => { listed = undefined; });
    }
    return listed;
  };
}
