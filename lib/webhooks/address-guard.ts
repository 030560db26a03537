// Which addresses a webhook may reach, by the ranges of runtime's address-ranges.ts (shared with
// hooks' ctx.fetch): link-local, cloud metadata and multicast always refused; loopback and private
// ranges only when allowPrivateNetworks is false (self-hosted users deliver to their LAN).
// Checked on the resolved address at connect time, so DNS cannot smuggle one in.
import { isIP, type LookupFunction } from 'node:net';
import { classifyAddress, createCheckedLookup, type Resolver } from '../../runtime/index.ts';
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

/** The connect-time lookup (runtime's checked-lookup.ts) judged by refusalReason. */
export function createGuardedLookup(deps: { allowPrivateNetworks: boolean; resolve?: Resolver }): LookupFunction {
  return createCheckedLookup({
    judge: (address) => refusalReason(address, deps.allowPrivateNetworks),
    // A HookdError (code TARGET_REFUSED): http-send.ts tells it from a DNS failure by that code.
    refuse: (hostname, reason) => errors.targetRefused(hostname, reason) as unknown as Error,
    resolve: deps.resolve,
  });
}
