import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEnvGrants } from '../../lib/env-grants.ts';

const TOKEN = 'hkd_admin-token-value-0123456789';
const secrets = { API_KEY: 'from-secrets', constructor: 'a secret named constructor', TOKEN_COPY: TOKEN };
const env = { API_KEY: 'from-env', HOME: '/root', HOOKD_TOKEN: TOKEN, hookd_config: 'x', 'A=B': 'y', DB_URL: `postgres://u:${TOKEN}@db/x`, NUL: 'a\0b' };
// As a parsed environment could hold it: an own property, not the object's prototype.
Object.defineProperty(env, '__proto__', { value: 'own proto', enumerable: true });
const grants = createEnvGrants({ secrets, env, credentials: [TOKEN] });

describe('createEnvGrants: resolve (run time, every hook kind)', () => {
  // [name, granted value or undefined, why]
  const cases: Array<[string, string | undefined, string]> = [
    ['API_KEY', 'from-secrets', 'secrets come first'],
    ['HOME', '/root', 'then the environment'],
    ['constructor', 'a secret named constructor', 'an own secret named like an Object.prototype member'],
    ['__proto__', 'own proto', 'an own variable named __proto__'],
    ['toString', undefined, 'an inherited name is not a variable'],
    ['hasOwnProperty', undefined, 'an inherited name is not a variable'],
    ['valueOf', undefined, 'an inherited name is not a variable'],
    ['HOOKD_TOKEN', undefined, 'hookd names never pass'],
    ['hookd_config', undefined, 'in any case'],
    ['TOKEN_COPY', undefined, 'a credential under another name'],
    ['DB_URL', undefined, 'a value holding a credential'],
    ['A=B', undefined, 'a malformed name'],
    ['NUL', undefined, 'no environment holds a NUL byte'],
    ['UNSET', undefined, 'nothing to give'],
  ];
  for (const [name, value, why] of cases) {
    test(`${name}: ${value === undefined ? 'absent' : 'granted'} (${why})`, () => {
      const out = grants.resolve([name]);
      assert.equal(Object.getPrototypeOf(out), null, 'a null-prototype record');
      assert.equal(Object.hasOwn(out, name) ? out[name] : undefined, value);
    });
  }

  test('resolves several names at once, keeping only the grantable ones', () => {
    assert.deepEqual({ ...grants.resolve(['API_KEY', 'HOOKD_TOKEN', 'HOME', 'toString']) }, { API_KEY: 'from-secrets', HOME: '/root' });
  });

  test('reads the environment at each call, not a snapshot', () => {
    const live: Record<string, string> = {};
    const g = createEnvGrants({ secrets: {}, env: live, credentials: [] });
    assert.equal(g.resolve(['LATER']).LATER, undefined);
    live.LATER = 'now set';
    assert.equal(g.resolve(['LATER']).LATER, 'now set');
  });
});

describe('createEnvGrants: refuse (registration)', () => {
  const cases: Array<[string, RegExp | undefined]> = [
    ['HOOKD_TOKEN', /HOOKD_ are hookd's own/],
    ['Hookd_Data_Dir', /HOOKD_ are hookd's own/],
    ['TOKEN_COPY', /hookd's own credentials/],
    ['DB_URL', /hookd's own credentials/],
    ['A=B', /not an environment variable name/],
    ['API_KEY', undefined],
    ['constructor', undefined],
    ['toString', undefined],
    ['UNSET', undefined],
  ];
  for (const [name, refused] of cases) {
    test(`${name} is ${refused ? 'refused' : 'accepted'}`, () => {
      const why = grants.refuse(name);
      if (refused) assert.match(why ?? '', refused);
      else assert.equal(why, undefined);
      assert.ok(!(why ?? '').includes(TOKEN), 'the reason never shows the value');
    });
  }
});
