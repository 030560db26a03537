// The DNS lookup every outgoing connection of hookd uses (hooks' ctx.fetch, the sandbox host's
// ctx.apps, the daemon's webhooks): it runs at connect time, inside node:net, so the address judged
// is the address connected to; no earlier answer is trusted later.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

/** node:dns's lookup as called here (always `all: true`); tests pass their own to script answers. */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface CheckedLookupDeps {
  /** Why this resolved address may not be connected to, or undefined when it may. */
  judge: (address: string) => string | undefined;
  /** The error to fail the connection with when no answer is left (the caller's own error type). */
  refuse: (hostname: string, reason: string) => Error;
  resolve?: Resolver;
}

/**
 * Refused answers are dropped and the connection goes to the allowed ones (a dual-stack name with
 * one LAN answer still works, and happy eyeballs only ever tries what is left); with none left it
 * fails with the first refusal. Node skips `lookup` for literal IPs: callers check those themselves.
 */
export function createCheckedLookup(deps: CheckedLookupDeps): LookupFunction {
  const resolve: Resolver = deps.resolve ?? ((h, o, cb) => dnsLookup(h, o, cb));
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter((a) => deps.judge(a.address) === undefined);
      if (allowed.length === 0) {
        const reason = addresses.length === 0 ? 'it resolves to no address' : deps.judge(addresses[0]!.address)!;
        return callback(deps.refuse(hostname, reason) as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
