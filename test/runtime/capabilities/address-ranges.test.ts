import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAddress, embeddedIpv4 } from '../../../runtime/capabilities/address-ranges.ts';

test('each address has one class: public, private (refused unless local networks are allowed) or never', () => {
  const cases: Array<[string, 'public' | 'private' | 'never']> = [
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700::1111', 'public'],
    ['169.254.169.254', 'never'],
    ['224.0.0.1', 'never'],
    ['239.255.255.250', 'never'],
    ['255.255.255.255', 'never'],
    ['fe80::1', 'never'],
    ['fd00:ec2::254', 'never'],
    ['ff02::1', 'never'],
    ['127.0.0.1', 'private'],
    ['0.0.0.0', 'private'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['192.0.0.170', 'private'],
    ['198.18.0.1', 'private'],
    ['198.19.255.255', 'private'],
    ['240.0.0.1', 'private'],
    ['255.255.255.254', 'private'],
    ['::', 'private'],
    ['::1', 'private'],
    ['fd12::1', 'private'],
    ['64:ff9b:1::8.8.8.8', 'private'],
    // IPv6 addresses that carry an IPv4 address are judged by it too.
    ['::ffff:169.254.169.254', 'never'],
    ['::ffff:a9fe:a9fe', 'never'],
    ['::127.0.0.1', 'private'],
    ['::7f00:1', 'private'],
    ['::ffff:0:7f00:1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'never'],
    ['64:ff9b::169.254.169.254', 'never'],
    ['64:ff9b::7f00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['64:ff9b:1:2::a9fe:a9fe', 'never'],
    ['2002:a9fe:a9fe::1', 'never'],
    ['2002:7f00:1::', 'private'],
    ['2002:808:808::1', 'public'],
    // Teredo: server 65.54.227.120; client 127.0.0.1 stored inverted (80ff:fffe), then 8.8.8.8.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'private'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'public'],
    ['2001:0:a9fe:a9fe::', 'never'],
  ];
  for (const [address, expected] of cases) assert.equal(classifyAddress(address)?.class, expected, address);
  assert.equal(classifyAddress('example.com'), undefined);
});

test('the reason names the IPv4 address an IPv6 one carries', () => {
  assert.equal(classifyAddress('64:ff9b::a9fe:a9fe')?.why, '64:ff9b::a9fe:a9fe embeds 169.254.169.254, a link-local or cloud metadata address');
  assert.equal(classifyAddress('::1')?.why, '::1 is a loopback address');
  assert.deepEqual(embeddedIpv4('2001:db8::1'), []);
  assert.deepEqual(embeddedIpv4('::ffff:1.2.3.4'), ['1.2.3.4']);
});
