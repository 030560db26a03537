// JSON Schema pieces for plain values that several layers' schemas use (API views, webhook
// views, inputs): plain 2020-12 objects, `as const` so that typebox's Static types them.

export const DATE_TIME = { type: 'string', format: 'date-time' } as const;

/** Any JSON value: payloads, hook results, a delivery's body. */
export const JSON_VALUE = { description: 'Any JSON value.' } as const;

export const NULLABLE_STRING = { type: ['string', 'null'] } as const;

export const NULLABLE_INTEGER = { type: ['integer', 'null'] } as const;
