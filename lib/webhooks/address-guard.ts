// Which addresses a webhook may reach. Link-local and cloud metadata addresses are always
// refused; loopback and private ranges only when allowPrivateNetworks is false (self-hosted
// users deliver to their LAN). Checked on the resolved address, so DNS cannot smuggle one in.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { errors } from '../errors.ts';

const ALWAYS = new BlockList();
ALWAYS.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, incl. 169.254.169.254 (AWS, GCP, Azure)
ALWAYS.addSubnet('fe80::', 10, 'ipv6');
ALWAYS.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

const PRIVATE = new BlockList();
PRIVATE.addSubnet('0.0.0.0', 8, 'ipv4'); // "this host": connects to loopback
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4'); // carrier-grade NAT
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addAddress('::', 'ipv6');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6'); // unique local

/** Why an address is refused, or undefined when it may be reached. */
export function refusalReason(address: string, allowPrivateNetworks: boolean): string | undefined {
  const ip = unmapIpv4(address);
  const family = isIP(ip);
  if (family === 0) return `"${address}" is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (ALWAYS.check(ip, type)) return `${ip} is a link-local or cloud metadata address, which is never allowed`;
  if (!allowPrivateNetworks && PRIVATE.check(ip, type)) {
    return `${ip} is a loopback or private address and webhooks.allowPrivateNetworks is false`;
  }
  return undefined;
}

/** "::ffff:169.254.169.254" reaches the IPv4 address, so it is judged as that. */
function unmapIpv4(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}

/** Parses a webhook URL and refuses what can be refused before any DNS: scheme, credentials, literal IPs. */
export function checkTargetUrl(raw: string, allowPrivateNetworks: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw errors.validation(`"url" is not a valid absolute URL: ${JSON.stringify(raw)}`, { pointer: '/url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw errors.targetRefused(url.origin === 'null' ? url.protocol : url.origin, 'only http and https URLs are allowed', '/url');
  }
  if (url.username || url.password) {
    throw errors.validation('"url" must not contain credentials: put an Authorization header in "headers"', { pointer: '/url' });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const reason = refusalReason(host, allowPrivateNetworks);
    if (reason) throw errors.targetRefused(url.host, reason, '/url');
  }
  return url;
}

type Resolver = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for node:net that drops refused addresses from what DNS answers and fails with
 * a TARGET_REFUSED HookdError when none is left. Node skips `lookup` for literal IPs: checkTargetUrl
 * covers those before connecting.
 */
export function createGuardedLookup(deps: { allowPrivateNetworks: boolean; resolve?: Resolver }): LookupFunction {
  const resolve: Resolver = deps.resolve ?? ((h, o, cb) => dnsLookup(h, o, cb));
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter((a) => !refusalReason(a.address, deps.allowPrivateNetworks));
      if (allowed.length === 0) {
        const reason = addresses.length === 0 ? 'no address' : refusalReason(addresses[0]!.address, deps.allowPrivateNetworks)!;
        // A HookdError (code TARGET_REFUSED): http-send.ts tells it from a DNS failure by that code.
        return callback(errors.targetRefused(hostname, reason) as unknown as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
