// Validation of POST /webhooks and PATCH /webhooks/:id bodies: every problem is a 4xx that
// names the field (400 for a malformed field, 422 for headers HTTP cannot carry). Targets are
// checked here as far as possible without DNS.
import type { Catalog } from '../catalog.ts';
import { errors } from '../errors.ts';
import { checkPatternList } from '../event-pattern.ts';
import { checkTargetUrl } from './address-guard.ts';
import { headersProblem } from './header-rules.ts';
import { checkSecret } from './secret.ts';
import { MAX_ENDPOINT_TIMEOUT_MS } from './sender.ts';

export interface WebhookInput {
  url?: string;
  events?: string[];
  secret?: string;
  description?: string | null;
  enabled?: boolean;
  headers?: Record<string, string>;
  timeoutMs?: number | null;
}

const FIELDS = new Set(['url', 'events', 'secret', 'description', 'enabled', 'headers', 'timeoutMs']);
const MIN_TIMEOUT_MS = 100;
/** Longer URLs are refused by many servers and proxies; a webhook target never needs one. */
export const MAX_URL_LENGTH = 2048;

export interface InputRules {
  catalog: Catalog;
  allowPrivateNetworks: boolean;
}

/** Checks a create (`partial: false`: url and events required) or a patch body. */
export function checkWebhookInput(raw: unknown, rules: InputRules, partial: boolean): WebhookInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw errors.validation('the body must be a JSON object');
  const body = raw as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (partial && key === 'secret') throw errors.validation('a secret cannot be patched: use POST /webhooks/:id/rotate-secret', { pointer: '/secret' });
    if (!FIELDS.has(key)) throw errors.validation(`unknown field "${key}": a webhook has ${[...FIELDS].join(', ')}`, { pointer: `/${key}` });
  }
  if (partial && Object.keys(body).length === 0) throw errors.validation('the body changes nothing: give at least one field');
  const out: WebhookInput = {};
  if (body.url !== undefined || !partial) {
    if (typeof body.url !== 'string' || body.url === '') throw errors.validation('"url" is required: an http(s) URL', { pointer: '/url' });
    if (body.url.length > MAX_URL_LENGTH) throw errors.validation(`"url" is longer than ${MAX_URL_LENGTH} characters`, { pointer: '/url' });
    out.url = checkTargetUrl(body.url, rules.allowPrivateNetworks).href;
  }
  if (body.events !== undefined || !partial) out.events = checkEvents(body.events, rules.catalog);
  if (body.secret !== undefined) out.secret = checkSecret(body.secret);
  if (body.description !== undefined) {
    if (body.description !== null && (typeof body.description !== 'string' || body.description.length > 500)) {
      throw errors.validation('"description" must be a string of at most 500 characters', { pointer: '/description' });
    }
    out.description = body.description;
  }
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') throw errors.validation('"enabled" must be true or false', { pointer: '/enabled' });
    out.enabled = body.enabled;
  }
  if (body.headers !== undefined) out.headers = checkHeaders(body.headers);
  if (body.timeoutMs !== undefined) {
    const t = body.timeoutMs;
    if (t !== null && (!Number.isInteger(t) || (t as number) < MIN_TIMEOUT_MS || (t as number) > MAX_ENDPOINT_TIMEOUT_MS)) {
      throw errors.validation(`"timeoutMs" must be an integer from ${MIN_TIMEOUT_MS} to ${MAX_ENDPOINT_TIMEOUT_MS} (null: webhooks.timeout)`, {
        pointer: '/timeoutMs',
      });
    }
    out.timeoutMs = t as number | null;
  }
  return out;
}

function checkEvents(value: unknown, catalog: Catalog): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw errors.validation('"events" must be a list of event type patterns such as "media.added" or "download.*"', { pointer: '/events' });
  }
  const patterns = checkPatternList(value, 'events', (i) => ({ pointer: i === undefined ? '/events' : `/events/${i}` }));
  return patterns.map((p, i) => {
    // Progress events are live only and never delivered, so a pattern must reach a business type.
    if (!catalog.match(p).some((t) => t.kind === 'business')) {
      throw errors.validation(`"${p}" matches no deliverable event type (GET /catalog lists them; progress types are never delivered)`, {
        pointer: `/events/${i}`,
      });
    }
    return p;
  });
}

function checkHeaders(value: unknown): Record<string, string> {
  const problem = headersProblem(value);
  if (problem) throw errors.unprocessable(problem.message, { pointer: problem.pointer });
  return value as Record<string, string>;
}
