// The checks of a hook definition's shape against NEW_HOOK_SCHEMA and HOOK_INPUT_SCHEMA. From
// the source tree ajv compiles each on its first use; the build (scripts/build.js) replaces this
// module with ajv's standalone code generated from the same schemas and options, so that
// `hookd check` and a daemon's start do not spend 0.1 s compiling them (and ajv's 2020-12
// meta-schemas) for the hooks directory.
import { compileOwnSchema } from '../own-schema.ts';
import { HOOK_INPUT_SCHEMA, NEW_HOOK_SCHEMA } from './hook-schema.ts';

export const validateNewHook = compileOwnSchema(NEW_HOOK_SCHEMA);
export const validateHookChange = compileOwnSchema(HOOK_INPUT_SCHEMA);
