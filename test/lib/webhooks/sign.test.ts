import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { activeSecrets, checkSecret, generateSecret } from '../../../lib/webhooks/secret.ts';
import { buildSignatureHeaders } from '../../../lib/webhooks/sign.ts';

test('generated secrets are whsec_ + base64 of 32 random bytes', () => {
  const a = generateSecret();
  assert.match(a, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
  assert.notEqual(a, generateSecret());
  assert.equal(checkSecret(a), a);
});

test('user-given secrets must decode to 24-64 bytes', () => {
  assert.throws(() => checkSecret('hunter2'), { code: 'VALIDATION' });
  assert.throws(() => checkSecret(`whsec_${Buffer.alloc(16).toString('base64')}`), { code: 'VALIDATION' });
  assert.throws(() => checkSecret(`whsec_${Buffer.alloc(65).toString('base64')}`), { code: 'VALIDATION' });
  assert.equal(checkSecret(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).length > 6, true);
});

test('the headers match the specification and verify with the official library', () => {
  const secret = generateSecret();
  const body = JSON.stringify({ id: 'e1', type: 'media.added', occurredAt: '2026-01-01T00:00:00.000Z', payload: { title: 'Ü' } });
  const timestamp = Math.floor(Date.now() / 1000);
  const h = buildSignatureHeaders({ id: 'msg_1', timestamp, body, eventType: 'media.added', secrets: [secret] });
  const key = Buffer.from(secret.slice(6), 'base64');
  assert.equal(h['webhook-signature'], `v1,${createHmac('sha256', key).update(`msg_1.${timestamp}.${body}`).digest('base64')}`);
  assert.equal(h['x-hookd-signature'], `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  assert.equal(h['x-hookd-event'], 'media.added');
  assert.deepEqual(new Webhook(secret).verify(body, h), JSON.parse(body));
  assert.throws(() => new Webhook(generateSecret()).verify(body, h));
});

test('during a rotation both secrets sign, space-separated, current first', () => {
  const [next, old] = [generateSecret(), generateSecret()];
  const now = Date.now();
  const secrets = activeSecrets({ secret: next, previousSecret: old, previousSecretExpiresAt: now + 1000 }, now);
  assert.deepEqual(secrets, [next, old]);
  const body = '{}';
  const h = buildSignatureHeaders({ id: 'msg_2', timestamp: Math.floor(now / 1000), body, eventType: 't', secrets });
  assert.equal(h['webhook-signature']!.split(' ').length, 2);
  new Webhook(next).verify(body, h);
  new Webhook(old).verify(body, h);
  assert.deepEqual(activeSecrets({ secret: next, previousSecret: old, previousSecretExpiresAt: now - 1 }, now), [next]);
});
