// JSON Schema validation (ajv) shared by the config loader, the event catalog and the API: one
// place that builds validators and turns ajv's errors into { pointer, message } problems.
// Users' schemas (config, catalog) are read as draft-07; hookd's own API schemas as 2020-12,
// the dialect OpenAPI 3.1 documents them in.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { DURATION_PATTERN, SIZE_PATTERN } from './config/units.ts';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as <A extends Ajv | Ajv2020>(
  ajv: A,
) => A;

export interface SchemaProblem {
  /** RFC 6901 JSON pointer of the failing value ('' is the root). */
  pointer: string;
  message: string;
}

export type Validator = (value: unknown) => SchemaProblem[];

export function createSchemaCompiler(): (schema: object) => Validator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('duration', new RegExp(DURATION_PATTERN));
  ajv.addFormat('size', new RegExp(SIZE_PATTERN));
  return (schema) => {
    const validate: ValidateFunction = ajv.compile(schema);
    return (value) => (validate(value) ? [] : describeErrors(validate.errors ?? []));
  };
}

let ownAjv: Ajv2020 | undefined;
const ownValidators = new WeakMap<object, Validator>();

/**
 * A validator for one of hookd's own schemas (API requests, plain JSON Schema 2020-12 objects),
 * compiled once per schema object and shared by everything that checks against it. Strict:
 * a typo in a keyword is an error at start, not a check that silently never runs.
 */
export function compileOwnSchema(schema: object): Validator {
  const known = ownValidators.get(schema);
  if (known) return known;
  ownAjv ??= addFormats(new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }));
  const validate = ownAjv.compile(schema);
  const validator: Validator = (value) => (validate(value) ? [] : describeErrors(validate.errors ?? []));
  ownValidators.set(schema, validator);
  return validator;
}

function describeErrors(list: ErrorObject[]): SchemaProblem[] {
  return list.map((e) => {
    // Point at the missing or unexpected property itself, not its parent object.
    const property =
      (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ??
      (e.params as { additionalProperty?: string }).additionalProperty;
    const pointer = property === undefined ? e.instancePath : `${e.instancePath}/${escapePointer(property)}`;
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not a known property'
        : e.keyword === 'required'
          ? 'is required'
          : e.keyword === 'enum'
            ? `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
            : (e.message ?? 'is invalid');
    return { pointer, message };
  });
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
