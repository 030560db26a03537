import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { test } from 'node:test';
import { checkTargetUrl, createGuardedLookup, refusalReason } from '../../../lib/webhooks/address-guard.ts';

test('which addresses are refused, with and without private networks', () => {
  const cases: Array<[string, boolean, boolean]> = [
    // address, refused when private networks are allowed, refused when they are not
    ['169.254.169.254', true, true],
    ['169.254.0.1', true, true],
    ['::ffff:169.254.169.254', true, true],
    ['fe80::1', true, true],
    ['febf::1', true, true],
    ['fd00:ec2::254', true, true],
    ['127.0.0.1', false, true],
    ['::1', false, true],
    ['::ffff:127.0.0.1', false, true],
    ['10.1.2.3', false, true],
    ['172.16.0.1', false, true],
    ['172.31.255.255', false, true],
    ['192.168.1.10', false, true],
    ['100.64.0.1', false, true],
    ['0.0.0.0', false, true],
    ['fd12:3456::1', false, true],
    // IPv6 addresses that carry a refused IPv4 one (NAT64, 6to4, IPv4-compatible) are refused as it is.
    ['64:ff9b::a9fe:a9fe', true, true],
    ['2002:a9fe:a9fe::1', true, true],
    ['::127.0.0.1', false, true],
    ['64:ff9b::7f00:1', false, true],
    ['64:ff9b::808:808', false, false],
    // Multicast and broadcast cannot take a TCP connection; unrouted ranges are private.
    ['224.0.0.1', true, true],
    ['255.255.255.255', true, true],
    ['ff02::1', true, true],
    ['198.18.0.1', false, true],
    ['192.0.0.170', false, true],
    ['240.0.0.1', false, true],
    ['8.8.8.8', false, false],
    ['172.32.0.1', false, false],
    ['2606:4700::1111', false, false],
  ];
  for (const [address, refusedWhenAllowed, refusedWhenLocked] of cases) {
    assert.equal(refusalReason(address, true) !== undefined, refusedWhenAllowed, `${address} with private allowed`);
    assert.equal(refusalReason(address, false) !== undefined, refusedWhenLocked, `${address} with private refused`);
  }
});

test('URLs: only http(s), no credentials, literal forbidden IPs refused before DNS', () => {
  assert.equal(checkTargetUrl('https://example.com/x', false).href, 'https://example.com/x');
  assert.equal(checkTargetUrl('http://127.0.0.1:8080/', true).port, '8080');
  assert.throws(() => checkTargetUrl('http://127.0.0.1:8080/', false), { code: 'TARGET_REFUSED' });
  assert.throws(() => checkTargetUrl('http://169.254.169.254/', true), { code: 'TARGET_REFUSED' });
  assert.throws(() => checkTargetUrl('http://[fe80::1]/', true), { code: 'TARGET_REFUSED' });
  assert.throws(() => checkTargetUrl('http://[64:ff9b::a9fe:a9fe]/', true), { code: 'TARGET_REFUSED', message: /embeds 169\.254\.169\.254/ });
  assert.throws(() => checkTargetUrl('http://[::127.0.0.1]/', false), { code: 'TARGET_REFUSED' });
  assert.throws(() => checkTargetUrl('http://[::ffff:7f00:1]/', false), { code: 'TARGET_REFUSED' });
  assert.throws(() => checkTargetUrl('file:///etc/passwd', true), { code: 'TARGET_REFUSED' });
  assert.throws(() => checkTargetUrl('gopher://x/', true), { code: 'TARGET_REFUSED' });
  assert.throws(() => checkTargetUrl('http://a:b@example.com/', true), { code: 'VALIDATION' });
  assert.throws(() => checkTargetUrl('/relative', true), { code: 'VALIDATION' });
});

function lookupWith(answer: LookupAddress[], allowPrivateNetworks: boolean) {
  const lookup = createGuardedLookup({ allowPrivateNetworks, resolve: (_h, _o, cb) => cb(null, answer) });
  return {
    one: () =>
      new Promise<{ err: any; address: string }>((resolve) => lookup('evil.test', {}, (err, address) => resolve({ err, address: address as string }))),
    all: () =>
      new Promise<{ err: any; addresses: LookupAddress[] }>((resolve) =>
        lookup('evil.test', { all: true }, (err, addresses) => resolve({ err, addresses: addresses as unknown as LookupAddress[] })),
      ),
  };
}

test('a name that resolves to a metadata address is refused (DNS cannot smuggle it in)', async () => {
  const { err } = await lookupWith([{ address: '169.254.169.254', family: 4 }], true).one();
  assert.equal(err?.code, 'TARGET_REFUSED');
  assert.match(err.message, /link-local or cloud metadata/);
  const v6 = await lookupWith([{ address: 'fd00:ec2::254', family: 6 }], true).all();
  assert.equal(v6.err?.code, 'TARGET_REFUSED');
});

test('refused answers are dropped and the allowed ones kept', async () => {
  const mixed = [
    { address: '169.254.169.254', family: 4 },
    { address: '93.184.216.34', family: 4 },
  ];
  assert.deepEqual(await lookupWith(mixed, true).one(), { err: null, address: '93.184.216.34' });
  const all = await lookupWith(mixed, true).all();
  assert.deepEqual(all.addresses.map((a) => a.address), ['93.184.216.34']);
});

test('loopback by name is allowed by default and refused when private networks are locked out', async () => {
  assert.equal((await lookupWith([{ address: '127.0.0.1', family: 4 }], true).one()).address, '127.0.0.1');
  const locked = await lookupWith([{ address: '127.0.0.1', family: 4 }], false).one();
  assert.equal(locked.err?.code, 'TARGET_REFUSED');
});
