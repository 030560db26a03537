// JSON Schema validation (ajv) shared by the config loader, the event catalog and the API: one
// place that builds validators and turns ajv's errors into { pointer, message } problems.
// Users' schemas (config, catalog) are read as draft-07; hookd's own API schemas as 2020-12,
// the dialect OpenAPI 3.1 documents them in.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { DURATION_PATTERN, SIZE_PATTERN } from './config/units.ts';
import { checkUsersSchema } from './users-meta-schema.ts';

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

/**
 * Validators of users' schemas. `lazy`: the schema is checked against the JSON Schema
 * meta-schema at once (an invalid one still throws here, at start) but compiled on its first
 * use: the catalog holds dozens of large schemas (the *arr apps' bodies) that would otherwise
 * add about 0.3 s to every start, and most daemons never see most types.
 */
export function createSchemaCompiler(options: { lazy?: boolean } = {}): (schema: object) => Validator {
  const ajv = createUsersAjv();
  return (schema) => {
    const problem = options.lazy ? checkUsersSchema(ajv, schema) : undefined;
    if (problem !== undefined) throw new Error(`schema is invalid: ${problem}`);
    let validate: ValidateFunction | undefined = options.lazy ? undefined : ajv.compile(schema);
    return (value) => {
      validate ??= ajv.compile(schema);
      return validate(value) ? [] : describeErrors(validate.errors ?? []);
    };
  };
}

/**
 * The ajv users' schemas are read with (draft-07, every error, hookd's formats). `source`: keep
 * the generated code, for ajv's standalone output (scripts/build.js precompiles the config's).
 */
export function createUsersAjv(options: { source?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...(options.source ? { code: { source: true, esm: true } } : {}) });
  addFormats(ajv);
  ajv.addFormat('duration', new RegExp(DURATION_PATTERN));
  ajv.addFormat('size', new RegExp(SIZE_PATTERN));
  return ajv;
}

/** A Validator from a compiled (or standalone, precompiled) ajv function. */
export function validatorFrom(validate: ValidateFunction): Validator {
  return (value) => (validate(value) ? [] : describeErrors(validate.errors ?? []));
}

let ownAjv: Ajv2020 | undefined;
const ownCompiled = new WeakMap<object, ValidateFunction>();

/**
 * A validator for one of hookd's own schemas (API requests: plain JSON Schema 2020-12 objects).
 * Compiled on its first use, not at start (most daemons never see most routes), once per
 * schema object for everything that checks against it. Strict: a typo in a keyword throws
 * instead of being a check that silently never runs (the OpenAPI test compiles them all).
 */
export function compileOwnSchema(schema: object): Validator {
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= ownCompiled.get(schema) ?? compileOwn(schema);
    return validate(value) ? [] : describeErrors(validate.errors ?? []);
  };
}

/** The ajv hookd's own schemas are compiled with; `source` as in createUsersAjv (scripts/build.js). */
export function createOwnAjv(options: { source?: boolean } = {}): Ajv2020 {
  const code = options.source ? { code: { source: true, esm: true } } : {};
  return addFormats(new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, ...code }));
}

function compileOwn(schema: object): ValidateFunction {
  ownAjv ??= createOwnAjv();
  const validate = ownAjv.compile(schema);
  ownCompiled.set(schema, validate);
  return validate;
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

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
