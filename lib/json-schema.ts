// JSON Schema validation (ajv) shared by the config loader, the event catalog and the API.
// Users' schemas (config, catalog) are read as draft-07 by the ajv of
// runtime/chain/payload-schema.ts (the sandbox host checks filter outputs with it too);
// hookd's own API schemas as 2020-12, the dialect OpenAPI 3.1 documents them in.
import type { Ajv, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { createUsersAjv, describeErrors, escapePointer, validatorFrom, type SchemaProblem, type Validator } from '../runtime/index.ts';
import { PRECOMPILED_OWN } from './own-validators.ts';
import { checkUsersSchema } from './users-meta-schema.ts';

export { createUsersAjv, escapePointer, validatorFrom, type SchemaProblem, type Validator };

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as <A extends Ajv2020>(ajv: A) => A;

/**
 * Validators of users' schemas. `lazy`: the schema is checked against the JSON Schema
 * meta-schema at once (an invalid one still throws here, at start) but compiled on its first
 * use: the catalog holds dozens of large schemas (the *arr apps' bodies) that would otherwise
 * add about 0.3 s to every start, and most daemons never see most types.
 */
export function createSchemaCompiler(options: { lazy?: boolean } = {}): (schema: object) => Validator {
  // Made at the first schema that needs it: with `lazy`, maybe never (`hookd check`).
  let made: Ajv | undefined;
  const ajv = () => (made ??= createUsersAjv());
  return (schema) => {
    const problem = options.lazy ? checkUsersSchema(ajv, schema) : undefined;
    if (problem !== undefined) throw new Error(`schema is invalid: ${problem}`);
    let validate: ValidateFunction | undefined = options.lazy ? undefined : ajv().compile(schema);
    return (value) => {
      validate ??= ajv().compile(schema);
      return validate(value) ? [] : describeErrors(validate.errors ?? []);
    };
  };
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
  // One the build compiled ahead of time (own-validators.ts) is found by its JSON text.
  let validate = PRECOMPILED_OWN.size > 0 ? PRECOMPILED_OWN.get(JSON.stringify(schema)) : undefined;
  if (validate === undefined) {
    ownAjv ??= createOwnAjv();
    validate = ownAjv.compile(schema);
  }
  ownCompiled.set(schema, validate);
  return validate;
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
