// The signature headers of one attempt: Standard Webhooks (webhook-id, webhook-timestamp,
// webhook-signature with one "v1,<base64>" per active secret) and a GitHub-style
// X-Hookd-Signature (hex HMAC of the body alone, keyed by the current secret as written).
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { secretKey } from './secret.ts';

// The HMAC keys of the secrets in use, made once rather than decoded on every attempt. Held in
// memory only, as the endpoints' records already are; cleared when full (rotations leave old ones).
const MAX_KEYS = 1000;
const standardKeys = new Map<string, KeyObject>();
const bodyKeys = new Map<string, KeyObject>();

function cachedKey(cache: Map<string, KeyObject>, secret: string, make: (secret: string) => Buffer): KeyObject {
  let key = cache.get(secret);
  if (key === undefined) {
    if (cache.size >= MAX_KEYS) cache.clear();
    key = createSecretKey(make(secret));
    cache.set(secret, key);
  }
  return key;
}

export interface SignInput {
  /** The delivery id: the same across retries, so receivers can deduplicate. */
  id: string;
  /** Seconds since the epoch at the attempt; receivers reject stale ones, so retries re-sign. */
  timestamp: number;
  body: string;
  eventType: string;
  /** Active secrets, current first: during a rotation grace the previous one signs too. */
  secrets: readonly string[];
}

export function signStandard(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', cachedKey(standardKeys, secret, secretKey)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function signBodyHex(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', cachedKey(bodyKeys, secret, (s) => Buffer.from(s, 'utf8'))).update(body).digest('hex')}`;
}

export function buildSignatureHeaders(input: SignInput): Record<string, string> {
  const current = input.secrets[0];
  if (current === undefined) throw new TypeError('buildSignatureHeaders needs at least one secret');
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    // Space-separated signatures, as the specification allows, so both secrets verify.
    'webhook-signature': input.secrets.map((s) => signStandard(s, input.id, input.timestamp, input.body)).join(' '),
    'x-hookd-signature': signBodyHex(current, input.body),
    'x-hookd-event': input.eventType,
  };
}
