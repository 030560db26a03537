import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAuthenticator } from '../../../lib/api/auth.ts';
import type { TokensStore } from '../../../lib/db/tokens-store.ts';
import { digestToken } from '../../../lib/tokens.ts';

const ADMIN = 'admin-token-0123456789';
const PRODUCER = 'producer-token-0123456789';

function setup() {
  const cliTokens = new Map<string, { name: string; scopes: string[] }>();
  let lookups = 0;
  const store = {
    findByHash: async (hash: string) => {
      lookups += 1;
      return cliTokens.get(hash);
    },
  } as unknown as TokensStore;
  const auth = createAuthenticator({
    tokens: [
      { name: 'admin', token: ADMIN, scopes: ['admin'] },
      { name: 'producer', token: PRODUCER, scopes: ['events'] },
    ],
    store,
  });
  return { auth, cliTokens, lookups: () => lookups };
}

test('a connection that switches tokens is identified by the token it sends now', async () => {
  const { auth } = setup();
  const socket = {};
  assert.equal((await auth.identify(`Bearer ${ADMIN}`, socket)).name, 'admin');
  assert.equal((await auth.identify(`Bearer ${ADMIN}`, socket)).name, 'admin');
  assert.equal((await auth.identify(`Bearer ${PRODUCER}`, socket)).name, 'producer');
  assert.equal((await auth.identify(`Bearer ${ADMIN}`, socket)).name, 'admin');
});

test('after a valid token on a connection, a wrong, longer, shorter or missing one is still refused', async () => {
  const { auth } = setup();
  const socket = {};
  await auth.identify(`Bearer ${ADMIN}`, socket);
  for (const header of [`Bearer ${ADMIN.slice(0, -1)}x`, `Bearer ${ADMIN}x`, `Bearer ${ADMIN.slice(0, -1)}`, '', `Bearer  ${ADMIN}`]) {
    const expected = header === `Bearer  ${ADMIN}` ? 'admin' : undefined;
    if (expected) assert.equal((await auth.identify(header, socket)).name, expected, 'extra spaces are still the same token');
    else await assert.rejects(auth.identify(header, socket), { code: 'UNAUTHORIZED' }, JSON.stringify(header));
  }
});

test('another connection does not inherit what one connection presented', async () => {
  const { auth } = setup();
  await auth.identify(`Bearer ${ADMIN}`, {});
  await assert.rejects(auth.identify(`Bearer nope-0123456789`, {}), { code: 'UNAUTHORIZED' });
});

test('tokens made by the CLI are looked up on every request, so revoking one takes effect at once', async () => {
  const { auth, cliTokens, lookups } = setup();
  const token = 'hkd_cli-token-0123456789';
  cliTokens.set(digestToken(token).toString('hex'), { name: 'cli', scopes: ['events'] });
  const socket = {};
  assert.equal((await auth.identify(`Bearer ${token}`, socket)).name, 'cli');
  assert.equal((await auth.identify(`Bearer ${token}`, socket)).name, 'cli');
  assert.equal(lookups(), 2);
  cliTokens.clear();
  await assert.rejects(auth.identify(`Bearer ${token}`, socket), { code: 'UNAUTHORIZED' });
});

test('after setTokens a connection is identified by the tokens configured now: removed refused, scopes changed, added known', async () => {
  const { auth } = setup();
  const socket = {};
  const added = 'added-token-0123456789';
  assert.equal((await auth.identify(`Bearer ${ADMIN}`, socket)).name, 'admin');
  assert.deepEqual((await auth.identify(`Bearer ${PRODUCER}`, socket)).scopes, ['events']);
  auth.setTokens([
    { name: 'producer', token: PRODUCER, scopes: ['admin'] },
    { name: 'added', token: added, scopes: ['metrics'] },
  ]);
  assert.deepEqual((await auth.identify(`Bearer ${PRODUCER}`, socket)).scopes, ['admin'], 'the same header on the same connection');
  await assert.rejects(auth.identify(`Bearer ${ADMIN}`, socket), { code: 'UNAUTHORIZED' });
  assert.equal((await auth.identify(`Bearer ${added}`, socket)).name, 'added');
  assert.equal(await auth.findByDigest(digestToken(ADMIN)), undefined, 'sessions made with it re-check here');
});

test('a token removed by setTokens is refused on a connection that last presented it', async () => {
  const { auth } = setup();
  const socket = {};
  await auth.identify(`Bearer ${ADMIN}`, socket);
  await auth.identify(`Bearer ${ADMIN}`, socket); // remembered now
  auth.setTokens([{ name: 'producer', token: PRODUCER, scopes: ['events'] }]);
  await assert.rejects(auth.identify(`Bearer ${ADMIN}`, socket), { code: 'UNAUTHORIZED' });
});
