// hookd's own schemas (API request bodies, the event input, hook definitions): plain JSON Schema
// 2020-12 objects, the dialect OpenAPI 3.1 documents them in, compiled by their own strict ajv or
// taken from the build's precompiled validators (own-validators.ts).
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { describeErrors, type Validator } from '../runtime/index.ts';
import { PRECOMPILED_OWN } from './own-validators.ts';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as <A extends Ajv2020>(ajv: A) => A;

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

