// Which addresses a webhook may reach, by the ranges of runtime's address-ranges.ts (shared with
// hooks' ctx.fetch): link-local, cloud metadata and multicast always refused; loopback and private
// ranges only when allowPrivateNetworks is false (self-hosted users deliver to their LAN).
// Checked on the resolved address at connect time, so DNS cannot smuggle one in.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { classifyAddress } from '../../runtime/index.ts';
import { errors } from '../errors.ts';

/** Why an address is refused, or undefined when it may be reached. */
export function refusalReason(address: string, allowPrivateNetworks: boolean): string | undefined {
  const verdict = classifyAddress(address);
  if (!verdict) return `"${address}" is not an IP address`;
  if (verdict.class === 'never') return `${verdict.why}, which is never allowed`;
  if (verdict.class === 'private' && !allowPrivateNetworks) return `${verdict.why} and webhooks.allowPrivateNetworks is false`;
  return undefined;
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
