// The check of a configuration's shape against CONFIG_SCHEMA. From the source tree ajv compiles
// the schema on first use; the build (scripts/build.js) replaces this module with ajv's
// standalone code generated from the same schema and the same ajv options, so a daemon or a
// `hookd check` does not spend 0.1-0.2 s compiling it at every start.
import { createSchemaCompiler, type Validator } from '../json-schema.ts';
import { CONFIG_SCHEMA } from './schema.ts';

let validate: Validator | undefined;

export const validateConfigShape: Validator = (value) => (validate ??= createSchemaCompiler()(CONFIG_SCHEMA))(value);
