// permissions.net as data: parses allowlist entries and answers the two questions fetch asks,
// "may this URL's host and port be asked for?" and "may we connect to this resolved address?".
// Pure (no I/O): DNS happens in net-fetch.ts, which calls isAddressAllowed on every result.
// Runs wherever a grant is read: the worker and host (fetch), the daemon (validating grants).
import { BlockList } from 'node:net';
import { classifyAddress, isIP } from './address-ranges.ts';

/** One parsed entry. `port` absent = any port (as Deno's --allow-net=host). */
export interface NetRule {
  host: string;
  wildcard: boolean;
  ip: boolean;
  port?: number;
}

export interface ParsedAllowlist {
  rules: NetRule[];
  /** One message per entry that could not be parsed (such entries grant nothing). */
  errors: string[];
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** `::ffff:127.0.0.1` is 127.0.0.1: judge mapped addresses by their IPv4 part. */
export function unmapAddress(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1] as string;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1] as string, 16);
    const lo = parseInt(hex[2] as string, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return lower;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** The public internet, judged by address-ranges.ts (an IPv6 address by the IPv4 it carries, too). */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(unmapAddress(address))?.class === 'public';
}

/** A host as URL parsing leaves it (punycode, lowercase, canonical IPs), without [] or a final dot. */
export function canonicalHost(raw: string): string | undefined {
  const bracketed = isIP(raw) === 6 ? `[${raw}]` : raw;
  let host: string;
  try {
    host = new URL(`http://${bracketed}/`).hostname;
  } catch {
    return undefined;
  }
  if (host.startsWith('[')) host = unmapAddress(host.slice(1, -1));
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function parseEntry(entry: unknown): NetRule | string {
  if (typeof entry !== 'string' || entry.trim() === '') return `${JSON.stringify(entry)} is not a host`;
  const text = entry.trim().toLowerCase();
  const wildcard = text.startsWith('*.');
  const rest = wildcard ? text.slice(2) : text;
  // [v6]:port | bare v6 (no port) | host[:port]
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? (isIP(rest) === 6 ? [rest, rest] : /^([^:/?#@\s]+)(?::(\d+))?$/.exec(rest));
  if (!match) return `"${entry}" is not host, host:port or *.domain`;
  const host = canonicalHost(match[1] as string);
  if (!host) return `"${entry}" has an invalid host`;
  const ip = isIP(host) !== 0;
  if (wildcard && ip) return `"${entry}": a wildcard needs a domain, not an IP address`;
  const rule: NetRule = { host, wildcard, ip };
  if (match[2] !== undefined) {
    const port = Number(match[2]);
    if (!(port >= 1 && port <= 65535)) return `"${entry}" has an invalid port`;
    rule.port = port;
  }
  return rule;
}

/** Parses permissions.net; invalid entries are reported and grant nothing. */
export function parseNetAllowlist(entries: readonly unknown[]): ParsedAllowlist {
  const rules: NetRule[] = [];
  const errors: string[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') errors.push(parsed);
    else rules.push(parsed);
  }
  return { rules, errors };
}

/** The problems with a permissions.net list, one message per bad entry (empty = valid). */
export function validateNetAllowlist(entries: readonly unknown[]): string[] {
  return parseNetAllowlist(entries).errors;
}

function portMatches(rule: NetRule, port: number): boolean {
  return rule.port === undefined || rule.port === port;
}

/** May a URL with this (canonical) host and port be requested? `*.d` matches subdomains, not d. */
export function isHostAllowed(rules: readonly NetRule[], host: string, port: number): boolean {
  const ip = isIP(host) !== 0;
  return rules.some((rule) => portMatches(rule, port) && (rule.wildcard ? !ip && host.endsWith(`.${rule.host}`) : host === rule.host));
}

/**
 * May we connect to this resolved address? Public addresses: yes (the host was already allowed).
 * Anything else only when an entry names that very IP, or `localhost` for a loopback address:
 * a name that resolves to 127.0.0.1 or 10.x is refused even when the name itself is allowed.
 */
export function isAddressAllowed(rules: readonly NetRule[], address: string, port: number): boolean {
  const plain = unmapAddress(address);
  if (isPublicAddress(plain)) return true;
  const loopback = isIP(plain) !== 0 && LOOPBACK.check(plain, family(plain));
  return rules.some((rule) => portMatches(rule, port) && !rule.wildcard && (rule.host === plain || (loopback && rule.host === 'localhost')));
}
