import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialize } from 'node:v8';
import { createRedactor, mayHoldSecret, parseRedacted } from '../../../runtime/worker/redact.ts';

// Secrets as an attacker would choose them: every character that some encoding changes.
const SECRETS: Array<[string, string]> = [
  ['quotes and backslashes', 'tok"en\\with\\"quotes'],
  ['a newline and a tab', 'line one\nline\ttwo'],
  ['control characters', 'ctl\u0001\u001f\u007fend'],
  ['non-ASCII', 'pässwörd-€-日本-😀'],
  ['URL-significant characters', 'a b&c=d/e?f#g%h+i'],
  ['plain alphanumerics', 'abcdefghijklmnop0123'],
];

// Every text form the daemon, a hook or a URL could give the secret.
function formsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    json,
    JSON.stringify(json).slice(1, -1),
    json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ q: secret }).toString().slice(2),
  ];
}

describe('createRedactor: text', () => {
  for (const [what, secret] of SECRETS) {
    it(`leaves no form of a secret with ${what} in text`, () => {
      const redact = createRedactor([secret])!;
      for (const form of formsOf(secret)) {
        const out = redact.text(`before ${form} after ${form}`);
        assert.equal(out.includes(form), false, `${JSON.stringify(form)} survived in ${JSON.stringify(out)}`);
        assert.match(out, /^before \[redacted\] after \[redacted\]$/);
      }
      // A log line holding JSON of an object holding the secret, stored as JSON once more.
      const stored = redact.text(JSON.stringify({ message: JSON.stringify({ nested: secret }) }));
      for (const form of formsOf(secret)) assert.equal(stored.includes(form), false, `${JSON.stringify(form)} survived in ${stored}`);
    });
  }

  it('redacts each line of a multi-line secret (a program prints it line by line)', () => {
    const redact = createRedactor(['-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG\n-----END KEY-----'])!;
    assert.equal(redact.text('MIIEvQIBADANBgkqhkiG'), '[redacted]');
  });

  it('does not redact values shorter than 4 characters, and a redactor of none is undefined', () => {
    assert.equal(createRedactor(['on', '1', '']), undefined);
    assert.equal(createRedactor(['on', 'long-enough'])!.text('on long-enough'), 'on [redacted]');
  });

  it('gives back the same string when nothing is found', () => {
    const redact = createRedactor(['secret-value'])!;
    const text = 'nothing to see';
    assert.equal(redact.text(text), text);
  });
});

describe('createRedactor: values', () => {
  const secret = 'se"cr\\et-€';
  const redact = createRedactor([secret])!;

  it('redacts strings and keys at any depth, in arrays, Maps and Sets, and keeps the rest', () => {
    const value = {
      plain: 1,
      text: `x ${secret} y`,
      [secret]: 'as a key',
      list: [secret, 2, { deep: [secret] }],
      map: new Map<unknown, unknown>([[secret, secret], ['k', { v: secret }]]),
      set: new Set([secret, 'kept']),
      json: JSON.stringify({ s: secret }),
      constructor: secret,
      __proto__: null,
    };
    const out = redact.value(value) as Record<string, unknown>;
    assert.equal(out.plain, 1);
    assert.equal(out.text, 'x [redacted] y');
    assert.equal(out['[redacted]'], 'as a key');
    assert.deepEqual(out.list, ['[redacted]', 2, { deep: ['[redacted]'] }]);
    assert.deepEqual([...(out.map as Map<unknown, unknown>)], [['[redacted]', '[redacted]'], ['k', { v: '[redacted]' }]]);
    assert.deepEqual([...(out.set as Set<unknown>)], ['[redacted]', 'kept']);
    assert.equal(out.json, '{"s":"[redacted]"}');
    assert.equal(out.constructor, '[redacted]');
  });

  it('handles own __proto__ keys, cycles and 100,000 levels of nesting without recursion', () => {
    const parsed = JSON.parse(`{"__proto__": ${JSON.stringify(secret)}}`) as Record<string, unknown>;
    assert.equal(Object.getOwnPropertyDescriptor(redact.value(parsed), '__proto__')?.value, '[redacted]');
    const cyclic: Record<string, unknown> = { s: secret };
    cyclic.self = cyclic;
    assert.equal((redact.value(cyclic) as Record<string, unknown>).s, '[redacted]');
    const deep = JSON.parse(`${'['.repeat(100_000)}${JSON.stringify(secret)}${']'.repeat(100_000)}`) as unknown;
    let node = redact.value(deep) as unknown;
    while (Array.isArray(node)) node = node[0];
    assert.equal(node, '[redacted]');
  });

  it('parseRedacted walks only JSON that may hold a secret', () => {
    assert.deepEqual(parseRedacted(JSON.stringify({ a: [secret] }), redact), { a: ['[redacted]'] });
    assert.deepEqual(parseRedacted('{"a":1}', redact), { a: 1 });
    assert.deepEqual(parseRedacted(JSON.stringify({ a: secret }), undefined), { a: secret });
  });

  it('mayHoldSecret finds a secret in V8-serialized one-byte and two-byte strings, and only then', () => {
    const latin = createRedactor(['latin-secret-ä'])!;
    assert.equal(mayHoldSecret(serialize({ a: 'x latin-secret-ä y' }), latin), true);
    assert.equal(mayHoldSecret(serialize({ a: 'x latin-secret-ä y 😀' }), latin), true, 'inside a two-byte string');
    assert.equal(mayHoldSecret(serialize({ ['latin-secret-ä']: 1 }), latin), true, 'as a key');
    assert.equal(mayHoldSecret(serialize({ a: 'nothing here' }), latin), false);
  });
});
