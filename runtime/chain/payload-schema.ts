// Users' JSON Schemas as hookd reads them (draft-07, every error, hookd's formats) and ajv's
// errors as { pointer, message } problems: one rule for the daemon (config, catalog) and the
// sandbox host, which checks each filter's output against the event type's schema while it
// runs a chain (host/chain.ts). Pure apart from ajv's own compile caches.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as <A extends Ajv>(ajv: A) => A;

/** Durations ("5s", "2m") and sizes ("1MiB") as users write them (config/units.ts parses them). */
export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$';
export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])\\s*$';

export interface SchemaProblem {
  /** RFC 6901 JSON pointer of the failing value ('' is the root). */
  pointer: string;
  message: string;
}

export type Validator = (value: unknown) => SchemaProblem[];

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

export function describeErrors(list: ErrorObject[]): SchemaProblem[] {
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
