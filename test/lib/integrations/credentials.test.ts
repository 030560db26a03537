// What the *arr apps send as credentials, as the Bearer header the API's authenticator reads:
// HTTP Basic's password (any user name), a Bearer header as is; anything without a token is
// a 401 that says what to set.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asBearer } from '../../../lib/integrations/credentials.ts';

const basic = (userPass: string, encoding: BufferEncoding = 'latin1') => `Basic ${Buffer.from(userPass, encoding).toString('base64')}`;

describe('integration credentials', () => {
  test('the Basic password is the token, whatever the user name (also empty, also with a colon in the password)', () => {
    assert.equal(asBearer(basic('radarr:tok-123')), 'Bearer tok-123');
    assert.equal(asBearer(basic(':tok-123')), 'Bearer tok-123');
    assert.equal(asBearer(basic('Ünïcode user:tok-123')), 'Bearer tok-123');
    assert.equal(asBearer(basic('u:a:b')), 'Bearer a:b');
    assert.equal(asBearer(`basic   ${Buffer.from('u:t').toString('base64')}  `), 'Bearer t');
  });

  test('a Bearer header passes as it is', () => {
    assert.equal(asBearer('Bearer tok-123'), 'Bearer tok-123');
  });

  test('no credentials, no password, or a password that cannot be a token: 401 saying what to set', () => {
    for (const [header, message] of [
      ['', /missing credentials: set the connection's Password/],
      [basic('radarr'), /without a password/],
      [basic('radarr:'), /without a password/],
      [basic('radarr:two words'), /invalid token/],
    ] as const) {
      assert.throws(() => asBearer(header), (err: any) => err.code === 'UNAUTHORIZED' && err.status === 401 && message.test(err.message), header);
    }
  });
});
