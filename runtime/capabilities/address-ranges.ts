// Which IP addresses are the public internet, which are private (this host, the LAN, the site's
// own gateways) and which are never reachable on purpose (link-local, cloud metadata, multicast).
// One table for every guard that lets hookd connect somewhere: hooks' ctx.fetch (net-allowlist.ts)
// and the daemon's webhooks (lib/webhooks/address-guard.ts). Pure: no DNS, no I/O.
import { BlockList, isIP as isAnyIP, isIPv4 } from 'node:net';

/** `private` is refused unless the user opted into local networks; `never` is refused always. */
export type AddressClass = 'public' | 'private' | 'never';

export interface AddressVerdict {
  class: AddressClass;
  /** Why, for messages: "127.0.0.1 is a loopback address", "64:ff9b::7f00:1 embeds 127.0.0.1, a loopback address". */
  why: string;
}

type Range = readonly [net: string, prefix: number, cls: Exclude<AddressClass, 'public'>, label: string];

const IPV4_RANGES: readonly Range[] = [
  // 169.254.169.254 is the metadata service of AWS, GCP and Azure: credentials for the asking.
  ['169.254.0.0', 16, 'never', 'a link-local or cloud metadata address'],
  // TCP cannot connect to these at all; refusing them names the cause instead of an odd socket error.
  ['224.0.0.0', 4, 'never', 'a multicast address'],
  ['255.255.255.255', 32, 'never', 'the broadcast address'],
  ['0.0.0.0', 8, 'private', 'a "this host" address (it connects to loopback)'],
  ['127.0.0.0', 8, 'private', 'a loopback address'],
  ['10.0.0.0', 8, 'private', 'a private address'],
  ['172.16.0.0', 12, 'private', 'a private address'],
  ['192.168.0.0', 16, 'private', 'a private address'],
  ['100.64.0.0', 10, 'private', 'a carrier-grade NAT address'],
  // Not routed on the internet, yet in use on local networks: the ISP's and NAT64's own gateways
  // (192.0.0.0/24), test gear and proxies' fake-IP DNS (198.18.0.0/15), networks that took the
  // reserved block (240.0.0.0/4). Private, so a LAN user who allows private networks keeps them.
  ['192.0.0.0', 24, 'private', 'an IETF protocol address (a local gateway)'],
  ['198.18.0.0', 15, 'private', 'a benchmarking address (not routed on the internet)'],
  ['240.0.0.0', 4, 'private', 'a reserved address (not routed on the internet)'],
];

const IPV6_RANGES: readonly Range[] = [
  ['fe80::', 10, 'never', 'a link-local address'],
  ['fd00:ec2::254', 128, 'never', 'a link-local or cloud metadata address'], // AWS metadata over IPv6
  ['ff00::', 8, 'never', 'a multicast address'],
  ['::', 128, 'private', 'the unspecified address (it connects to loopback)'],
  ['::1', 128, 'private', 'a loopback address'],
  ['fc00::', 7, 'private', 'a unique local address'],
  ['fec0::', 10, 'private', 'a site-local address'],
  ['100::', 64, 'private', 'a discard-only address'],
  // RFC 8215's local-use NAT64 prefix translates to the site's own IPv4 network.
  ['64:ff9b:1::', 48, 'private', 'a local-use NAT64 address'],
];

function compile(ranges: readonly Range[], family: 'ipv4' | 'ipv6') {
  return ranges.map(([net, prefix, cls, label]) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, family);
    return { list, cls, label };
  });
}
const V4 = compile(IPV4_RANGES, 'ipv4');
const V6 = compile(IPV6_RANGES, 'ipv6');

/**
 * node:net's isIP, without its IPv6 test for text that has fewer than two colons (every IPv6
 * text has two, "::" the shortest): that regex costs about 10 ms to compile at its first use,
 * and host names, with or without a port ("ha.local:8123"), are the common case (each hook's
 * permissions.net is parsed when it is defined, at a daemon's start or `hookd check`).
 */
export function isIP(text: string): number {
  return text.indexOf(':') !== text.lastIndexOf(':') ? isAnyIP(text) : isIPv4(text) ? 4 : 0;
}

/** The eight 16-bit groups of a valid IPv6 text (a zone, "%eth0", ignored). */
function groupsOf(address: string): number[] {
  let text = address.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv4Of(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * The IPv4 addresses an IPv6 address carries, which a packet to it reaches through a translator or
 * tunnel: mapped and compatible (::ffff:a.b.c.d, ::a.b.c.d), SIIT (::ffff:0:a.b.c.d), NAT64
 * (64:ff9b::/96, and the /96 form inside 64:ff9b:1::/48), 6to4 (2002:AABB:CCDD::) and Teredo
 * (2001::/32: its server, and its client stored inverted). `http://[64:ff9b::a9fe:a9fe]/` is a
 * way to 169.254.169.254 on any network with NAT64, so each is judged as the IPv4 it carries.
 */
export function embeddedIpv4(address: string): string[] {
  const g = groupsOf(address);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const last = ipv4Of(g[6]!, g[7]!);
  if (zeros(0, 5) && (g[5] === 0 || g[5] === 0xffff)) return [last];
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return [last];
  if (g[0] === 0x64 && g[1] === 0xff9b && (zeros(2, 6) || g[2] === 1)) return [last];
  if (g[0] === 0x2002) return [ipv4Of(g[1]!, g[2]!)];
  if (g[0] === 0x2001 && g[1] === 0) return [ipv4Of(g[2]!, g[3]!), ipv4Of(g[6]! ^ 0xffff, g[7]! ^ 0xffff)];
  return [];
}

const STRICTNESS: Record<AddressClass, number> = { public: 0, private: 1, never: 2 };

function ownRange(address: string, family: 4 | 6): { cls: AddressClass; label: string } | undefined {
  const found = (family === 4 ? V4 : V6).find((r) => r.list.check(address, family === 4 ? 'ipv4' : 'ipv6'));
  return found && { cls: found.cls, label: found.label };
}

/** How an address may be reached, or undefined when the text is not an IP address. */
export function classifyAddress(address: string): AddressVerdict | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  if (family === 4) {
    const own = ownRange(address, 4);
    return own ? { class: own.cls, why: `${address} is ${own.label}` } : { class: 'public', why: `${address} is a public address` };
  }
  // The stricter of the IPv6 range itself and every IPv4 address it carries.
  let verdict: AddressVerdict = { class: 'public', why: `${address} is a public address` };
  const own = ownRange(address, 6);
  if (own) verdict = { class: own.cls, why: `${address} is ${own.label}` };
  for (const ipv4 of embeddedIpv4(address)) {
    const inner = ownRange(ipv4, 4);
    if (inner && STRICTNESS[inner.cls] > STRICTNESS[verdict.class]) verdict = { class: inner.cls, why: `${address} embeds ${ipv4}, ${inner.label}` };
  }
  return verdict;
}
