// The check of a user's schema (a catalog type's payload schema) against the JSON Schema
// meta-schema, done at start for every schema the catalog holds. From the source tree ajv
// compiles the draft-07 meta-schema on first use (about 0.2 s); the build (scripts/build.js)
// replaces this module with ajv's standalone code for it, generated with the same options.
import type { Ajv } from 'ajv';

/**
 * Why `schema` is not a valid schema for the ajv `getAjv` makes (createUsersAjv), or undefined.
 * A getter: the build's check needs no ajv for a valid schema, and making one costs a start
 * about 10 ms (its own meta-schemas compiled) that a CLI run (`hookd check`) may never need.
 */
export function checkUsersSchema(getAjv: () => Ajv, schema: object): string | undefined {
  const ajv = getAjv();
  return ajv.validateSchema(schema) ? undefined : ajv.errorsText(ajv.errors);
}
