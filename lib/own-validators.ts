// hookd's own request schemas compiled ahead of time, by their JSON text. From the source tree
// none: own-schema.ts compiles each on its first use. The build (scripts/build.js) replaces this
// module with ajv's standalone code for every route body and the event input, generated with
// the options compileOwnSchema uses, so no first request pays ajv's compile (0.1-0.3 s each).
import type { ValidateFunction } from 'ajv';

export const PRECOMPILED_OWN: ReadonlyMap<string, ValidateFunction> = new Map();
