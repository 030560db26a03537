// JSON Schema validation (ajv) of users' schemas, shared by the config loader and the event
// catalog: read as draft-07 by the ajv of runtime/chain/payload-schema.ts (the sandbox host
// checks filter outputs with it too). hookd's own API schemas are own-schema.ts's (2020-12):
// apart, so that `hookd check`, which validates none, loads neither their ajv nor their code.
import type { Ajv, ValidateFunction } from 'ajv';
import { createUsersAjv, describeErrors, escapePointer, validatorFrom, type SchemaProblem, type Validator } from '../runtime/index.ts';
import { checkUsersSchema } from './users-meta-schema.ts';

export { createUsersAjv, escapePointer, validatorFrom, type SchemaProblem, type Validator };

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

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
