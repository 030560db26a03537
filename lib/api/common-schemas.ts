// Schemas every route shares: the error body and an id in the path. Plain JSON Schema 2020-12
// objects (`as const`, so typebox's Static types them); the OpenAPI document names the shared
// ones once under components.schemas.
import { ERROR_CODES } from '../errors.ts';
import { MAX_ID_LENGTH } from './request-params.ts';

export const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: MAX_ID_LENGTH, description: `The id (at most ${MAX_ID_LENGTH} characters).` } },
} as const;

/** A page of items and what fetches the next one (`next`, passed back as `?param=`; null on the last page). */
export function pageOf(item: object, next: { field: string; param: string; type: 'string' | 'integer' }) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['items', next.field],
    properties: {
      items: { type: 'array', items: item },
      [next.field]: { type: [next.type, 'null'], description: `Pass it back as ?${next.param}= for the next page; null on the last.` },
    },
  } as const;
}

export const ERROR_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  description:
    'Every error answer. `code` is stable (the README lists when each is used); `message` says what is wrong and what to do; ' +
    '`details` says where (`pointer`: a JSON pointer into the body, `parameter`: a query or path parameter) and the limits involved.',
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { enum: ERROR_CODES },
        message: { type: 'string' },
        details: {
          type: 'object',
          description: 'Where and why: `pointer`, `parameter`, `problems` ([{ pointer, message }]), `limit`, `retryAfter` (seconds, also sent as Retry-After), ….',
          properties: {
            pointer: { type: 'string', description: 'JSON pointer of the offending value in the body.' },
            parameter: { type: 'string', description: 'The offending query or path parameter.' },
            problems: {
              type: 'array',
              items: {
                type: 'object',
                required: ['pointer', 'message'],
                properties: { pointer: { type: 'string' }, message: { type: 'string' } },
              },
            },
            retryAfter: { type: 'number', description: 'Seconds; the same value is sent as Retry-After.' },
          },
        },
        requestId: { type: 'string', description: 'The X-Request-Id of the request: quote it when reporting a problem.' },
      },
    },
  },
} as const;
