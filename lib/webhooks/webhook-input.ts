// What POST /webhooks, PATCH /webhooks/:id and rotate-secret take: their schemas (the API
// checks bodies against them, 400 naming the field) and the rules beyond shape, checked here
// as far as possible without DNS: the target URL, patterns against the catalog, the secret's
// form, and headers HTTP cannot carry (422).
import type { Static } from 'typebox';
import type { Catalog } from '../catalog.ts';
import { errors } from '../errors.ts';
import { checkPatternList } from '../event-pattern.ts';
import { checkTargetUrl } from './address-guard.ts';
import { headersProblem, MAX_HEADER_NAME, MAX_HEADER_VALUE, MAX_HEADERS, MAX_HEADERS_BYTES } from './header-rules.ts';
import { checkSecret } from './secret.ts';
import { MAX_ENDPOINT_TIMEOUT_MS } from './sender.ts';

const MIN_TIMEOUT_MS = 100;
/** Longer URLs are refused by many servers and proxies; a webhook target never needs one. */
export const MAX_URL_LENGTH = 2048;

const SECRET = {
  type: 'string',
  description: '"whsec_" + base64 of 24-64 bytes (the Standard Webhooks form); generated when left out.',
} as const;

const WEBHOOK_FIELDS = {
  url: {
    type: 'string',
    minLength: 1,
    maxLength: MAX_URL_LENGTH,
    description: 'An http(s) URL. Link-local and cloud metadata addresses are always refused; private ones unless webhooks.allowPrivateNetworks is false.',
  },
  events: {
    type: 'array',
    minItems: 1,
    items: { type: 'string' },
    description: 'Event-type patterns ("media.*"), at most 100 of at most 200 characters; each must match a business type of the catalog.',
  },
  description: { type: ['string', 'null'], maxLength: 500 },
  enabled: { type: 'boolean', description: 'true resets the failure count; false fails its pending deliveries.' },
  headers: {
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      `Extra headers sent with every delivery: at most ${MAX_HEADERS}, ${MAX_HEADERS_BYTES} bytes together; names HTTP tokens of at most ${MAX_HEADER_NAME} ` +
      `characters, each once; values at most ${MAX_HEADER_VALUE} characters of visible ASCII, spaces, tabs and Latin-1. The headers hookd sets ` +
      '(webhook-*, x-hookd-*, content-type, host, …) cannot be given. Anything else is a 422 naming the header.',
  },
  timeoutMs: {
    type: ['integer', 'null'],
    minimum: MIN_TIMEOUT_MS,
    maximum: MAX_ENDPOINT_TIMEOUT_MS,
    description: 'Per attempt; null: webhooks.timeout.',
  },
} as const;

export const NEW_WEBHOOK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: { ...WEBHOOK_FIELDS, secret: SECRET },
} as const;

/** A change: any field but the secret (POST /webhooks/:id/rotate-secret changes that). */
export const WEBHOOK_CHANGES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'At least one field.',
  properties: WEBHOOK_FIELDS,
} as const;

export const ROTATE_SECRET_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { secret: SECRET },
} as const;

/** Where a webhook body's problems are 422 (values HTTP cannot carry) rather than 400. */
export const UNSENDABLE_FIELDS = ['/headers'] as const;

export type NewWebhookInput = Static<typeof NEW_WEBHOOK_SCHEMA>;
export type WebhookInput = Static<typeof WEBHOOK_CHANGES_SCHEMA> & { secret?: string };

export interface InputRules {
  catalog: Catalog;
  allowPrivateNetworks: boolean;
}

/** Checks what a create or change gives beyond its shape; the URL comes back normalized. */
export function checkWebhookInput<T extends WebhookInput>(input: T, rules: InputRules): T {
  if (Object.keys(input).length === 0) throw errors.validation('the body changes nothing: give at least one field');
  const out = { ...input };
  if (input.url !== undefined) out.url = checkTargetUrl(input.url, rules.allowPrivateNetworks).href;
  if (input.events !== undefined) checkEvents(input.events, rules.catalog);
  if (input.secret !== undefined) checkSecret(input.secret);
  if (input.headers !== undefined) {
    const problem = headersProblem(input.headers);
    if (problem) throw errors.unprocessable(problem.message, { pointer: problem.pointer });
  }
  return out;
}

function checkEvents(patterns: readonly string[], catalog: Catalog): void {
  checkPatternList(patterns, 'events', (i) => ({ pointer: i === undefined ? '/events' : `/events/${i}` }));
  for (const [i, p] of patterns.entries()) {
    // Progress events are live only and never delivered, so a pattern must reach a business type.
    if (!catalog.match(p).some((t) => t.kind === 'business')) {
      throw errors.validation(`"${p}" matches no deliverable event type (GET /catalog lists them; progress types are never delivered)`, {
        pointer: `/events/${i}`,
      });
    }
  }
}
