import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { isAddressAllowed, isHostAllowed, parseNetAllowlist, validateNetAllowlist } from '../../../runtime/capabilities/net-allowlist.ts';
import { createNetFetch, NetFetchError, type LookupFn } from '../../../runtime/capabilities/net-fetch.ts';
import { startServer, type LocalServer } from '../local-servers.ts';

const LIST = ['api.themoviedb.org', '*.example.com:8443', '127.0.0.1:8080', '[::1]:9000', 'localhost:3000', 'Bücher.DE.'];

describe('permissions.net entries', () => {
  it('parses host, host:port, *.domain, IPv4 and [IPv6] literals, canonicalised as URLs are', () => {
    const { rules, errors } = parseNetAllowlist(LIST);
    assert.deepEqual(errors, []);
    assert.deepEqual(rules.map((r) => [r.host, r.wildcard, r.port]), [
      ['api.themoviedb.org', false, undefined],
      ['example.com', true, 8443],
      ['127.0.0.1', false, 8080],
      ['::1', false, 9000],
      ['localhost', false, 3000],
      ['xn--bcher-kva.de', false, undefined],
    ]);
  });

  const invalid: Array<[string, RegExp]> = [
    ['', /is not a host/],
    ['http://a.com', /is not host, host:port or \*\.domain/],
    ['a.com/path', /is not host, host:port/],
    ['a.com:0', /invalid port/],
    ['a.com:70000', /invalid port/],
    ['*.10.0.0.1', /a wildcard needs a domain/],
    ['user@a.com', /is not host/],
  ];
  for (const [entry, message] of invalid) {
    it(`rejects ${JSON.stringify(entry)}`, () => {
      const errors = validateNetAllowlist([entry]);
      assert.equal(errors.length, 1);
      assert.match(errors[0] ?? '', message);
    });
  }
});

describe('isHostAllowed', () => {
  const { rules } = parseNetAllowlist(LIST);
  const cases: Array<[string, number, boolean, string]> = [
    ['api.themoviedb.org', 443, true, 'a host without a port allows any port'],
    ['api.themoviedb.org', 8080, true, 'any port, as Deno does'],
    ['www.api.themoviedb.org', 443, false, 'a plain host does not cover its subdomains'],
    ['a.example.com', 8443, true, 'a wildcard covers a subdomain'],
    ['a.b.example.com', 8443, true, 'and deeper ones'],
    ['example.com', 8443, false, 'but not the apex'],
    ['a.example.com', 443, false, 'the wildcard\'s port applies'],
    ['evilexample.com', 8443, false, 'a suffix is not a subdomain'],
    ['127.0.0.1', 8080, true, 'an IP literal with its port'],
    ['127.0.0.1', 8081, false, 'another port'],
    ['::1', 9000, true, 'an IPv6 literal'],
    ['localhost', 3000, true, 'localhost as named'],
    ['127.0.0.1', 3000, false, 'localhost does not allow asking for 127.0.0.1 by address'],
  ];
  for (const [host, port, expected, why] of cases) {
    it(`${host}:${port} -> ${expected} (${why})`, () => assert.equal(isHostAllowed(rules, host, port), expected));
  }
});

describe('isAddressAllowed (the resolved address)', () => {
  const { rules } = parseNetAllowlist(LIST);
  const cases: Array<[string, number, boolean, string]> = [
    ['93.184.216.34', 443, true, 'public'],
    ['2606:4700::1111', 443, true, 'public IPv6'],
    ['127.0.0.1', 8080, true, 'loopback named by IP and port'],
    ['127.0.0.1', 3000, true, 'loopback through the localhost entry'],
    ['::1', 3000, true, 'IPv6 loopback through the localhost entry'],
    ['127.0.0.1', 443, false, 'loopback on a port no entry names'],
    ['::ffff:127.0.0.1', 443, false, 'IPv4-mapped loopback'],
    ['10.1.2.3', 443, false, 'private'],
    ['192.168.1.1', 80, false, 'private'],
    ['169.254.169.254', 80, false, 'link-local (cloud metadata)'],
    ['100.64.0.1', 80, false, 'CGNAT'],
    ['0.0.0.0', 80, false, 'unspecified'],
    ['fd00::1', 80, false, 'unique local IPv6'],
    ['fe80::1', 80, false, 'link-local IPv6'],
    ['::7f00:1', 443, false, 'IPv4-compatible loopback'],
    ['64:ff9b::a9fe:a9fe', 80, false, 'NAT64 to the metadata address'],
    ['2002:7f00:1::1', 80, false, '6to4 to loopback'],
    ['64:ff9b::808:808', 443, true, 'NAT64 to a public address (an IPv6-only host behind DNS64)'],
    ['198.18.0.1', 80, false, 'benchmarking'],
    ['240.0.0.1', 80, false, 'reserved'],
  ];
  for (const [address, port, expected, why] of cases) {
    it(`${address}:${port} -> ${expected} (${why})`, () => assert.equal(isAddressAllowed(rules, address, port), expected));
  }
});

describe('net fetch checks the address a name resolves to, before it connects', () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  // DNS as an attacker would like it: every name is 127.0.0.1.
  const toLoopback = ((_host: string, _options: unknown, callback: (err: null, addresses: LookupAddress[]) => void) => {
    callback(null, [{ address: '127.0.0.1', family: 4 }]);
  }) as unknown as LookupFn;

  const answering = (...addresses: string[]) => ((_host: string, _options: unknown, callback: (err: null, addresses: LookupAddress[]) => void) => {
    callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as LookupFn;

  async function get(allow: string[], lookup = toLoopback): Promise<string> {
    const fetch = createNetFetch({ rules: parseNetAllowlist(allow).rules, maxResponseBytes: 1000, lookup });
    const url = new URL(`http://rebind.test:${server.port}/x`);
    try {
      const res = await fetch({ url, method: 'GET', headers: [], redirect: 'follow' }, new AbortController().signal);
      return res.body.toString();
    } catch (err) {
      assert.ok(err instanceof NetFetchError);
      return `${err.kind}: ${err.message}`;
    }
  }

  it('refuses an allowed name resolving to loopback, and connects once the list names the IP or localhost', async () => {
    assert.equal(await get([`rebind.test:${server.port}`]), `denied: net access to "rebind.test:${server.port}" not granted (it resolves to 127.0.0.1, a non-public address): add it to permissions.net`);
    assert.deepEqual(server.hits, [], 'no connection was made');
    assert.equal(await get([`rebind.test:${server.port}`, `127.0.0.1:${server.port}`]), 'reached /x');
    assert.equal(await get([`rebind.test:${server.port}`, 'localhost']), 'reached /x');
    assert.equal(server.hits.length, 2);
  });

  it('drops the refused answers of a name and connects only to the allowed ones (the same lookup as webhooks)', async () => {
    const allow = [`rebind.test:${server.port}`, `127.0.0.1:${server.port}`];
    const before = server.hits.length;
    assert.equal(await get(allow, answering('10.255.255.1', '64:ff9b::a9fe:a9fe', '127.0.0.1')), 'reached /x');
    assert.equal(
      await get(allow, answering('10.255.255.1', '::7f00:1')),
      `denied: net access to "rebind.test:${server.port}" not granted (it resolves to 10.255.255.1, a non-public address): add it to permissions.net`,
    );
    assert.equal(server.hits.length, before + 1);
  });
});
