// Endpoint signing secrets in the Standard Webhooks form: "whsec_" + base64 of 24-64 random
// bytes. The HMAC key of webhook-signature is the decoded bytes, as the official libraries use.
import { randomBytes } from 'node:crypto';
import { errors } from '../errors.ts';

export const SECRET_PREFIX = 'whsec_';
const KEY_BYTES = 32;
const SECRET_SYNTAX = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(KEY_BYTES).toString('base64');
}

/** Accepts a user-given secret only in the form receivers' libraries can decode. */
export function checkSecret(value: unknown): string {
  if (typeof value !== 'string' || !SECRET_SYNTAX.test(value)) {
    throw errors.validation('"secret" must be "whsec_" followed by base64 of 24 to 64 bytes; omit it to have one generated', {
      pointer: '/secret',
    });
  }
  const bytes = secretKey(value).length;
  if (bytes < 24 || bytes > 64) {
    throw errors.validation(`"secret" decodes to ${bytes} bytes; use 24 to 64 (omit it to have one generated)`, {
      pointer: '/secret',
    });
  }
  return value;
}

/** The HMAC key the Standard Webhooks signature uses: the base64-decoded part after the prefix. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/** The secrets that sign now, current first: the previous one only within its rotation grace. */
export function activeSecrets(
  w: { secret: string; previousSecret: string | null; previousSecretExpiresAt: number | null },
  now: number,
): string[] {
  const previousActive = w.previousSecret !== null && (w.previousSecretExpiresAt ?? 0) > now;
  return previousActive ? [w.secret, w.previousSecret!] : [w.secret];
}
