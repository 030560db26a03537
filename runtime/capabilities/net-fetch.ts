// The network leg of the capabilities, outside any compartment: ctx.fetch's in the worker and
// ctx.apps's in the sandbox host (host/app-requests.ts), the same code for both: node:http(s) with a
// DNS lookup that checks every resolved address against the allowlist, redirects followed by
// hand (each hop checked again), a response size cap and the call's AbortSignal. No keep-alive
// agent: a pooled socket would skip the address check for the next hook.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { createCheckedLookup, type Resolver } from './checked-lookup.ts';
import { canonicalHost, isAddressAllowed, isHostAllowed, type NetRule } from './net-allowlist.ts';

export const MAX_REDIRECTS = 5;

export interface NetRequest {
  url: URL;
  method: string;
  headers: Array<[string, string]>;
  body?: Uint8Array;
  redirect: 'follow' | 'manual' | 'error';
}

export interface NetResponse {
  status: number;
  statusText: string;
  url: string;
  redirected: boolean;
  /** Lowercase names, sorted, duplicates joined with ", " (as fetch's Headers). */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** The failures ctx-fetch turns into hook errors; `denied` ones are permission denials. */
export class NetFetchError extends Error {
  readonly kind: 'denied' | 'network' | 'too-large' | 'aborted' | 'redirect';
  readonly target: string;
  constructor(message: string, kind: NetFetchError['kind'], target: string) {
    super(message);
    this.kind = kind;
    this.target = target;
  }
}

export type LookupFn = Resolver;

export interface NetFetchDeps {
  rules: readonly NetRule[];
  maxResponseBytes: number;
  /** DNS for the checked lookup; tests pass their own to point a name at loopback. */
  lookup?: LookupFn;
  /**
   * Connect to whatever address the allowed hosts resolve to, loopback and LAN included: for a
   * host the admin's config names (integrations.<app>.url), not for a hook's permissions.net.
   */
  anyAddress?: boolean;
}

function targetOf(url: URL): { host: string; port: number; label: string } {
  const host = canonicalHost(url.hostname.replace(/^\[|\]$/g, '')) ?? url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host, port, label: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}

function denied(label: string, why = ''): NetFetchError {
  return new NetFetchError(`net access to "${label}" not granted${why}: add it to permissions.net`, 'denied', label);
}

function checkUrl(rules: readonly NetRule[], url: URL, anyAddress: boolean): { host: string; port: number; label: string } {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NetFetchError(`fetch supports http: and https: URLs only, not ${url.protocol}`, 'network', url.protocol);
  }
  const target = targetOf(url);
  if (!isHostAllowed(rules, target.host, target.port)) throw denied(target.label);
  if (!anyAddress && isIP(target.host) !== 0 && !isAddressAllowed(rules, target.host, target.port)) throw denied(target.label);
  return target;
}

/** Reads the response into one Buffer, failing as soon as it passes `max` bytes. */
function readBody(res: IncomingMessage, max: number, label: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length']);
    const tooLarge = () => new NetFetchError(`the response from "${label}" is over the ${max}-byte limit (net.maxResponseBytes)`, 'too-large', label);
    if (declared > max) {
      res.destroy();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        res.destroy();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    res.once('end', () => resolve(Buffer.concat(chunks, size)));
    res.once('error', (err) => reject(err));
    res.once('close', () => {
      if (!res.complete) reject(new NetFetchError(`the response from "${label}" ended early`, 'network', label));
    });
  });
}

function sortedHeaders(res: IncomingMessage): Array<[string, string]> {
  const merged = new Map<string, string>();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const seen = merged.get(name);
    merged.set(name, seen === undefined ? value : `${seen}, ${value}`);
  }
  return [...merged].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A fetch bound to one allowlist: one request per hop, each hop checked before it connects. */
export function createNetFetch(deps: NetFetchDeps): (request: NetRequest, signal: AbortSignal) => Promise<NetResponse> {
  const { rules, maxResponseBytes } = deps;
  const anyAddress = deps.anyAddress === true;

  function once(request: NetRequest, signal: AbortSignal): Promise<{ res: IncomingMessage; label: string }> {
    const target = checkUrl(rules, request.url, anyAddress);
    let refusal: NetFetchError | undefined;
    // Every address the name resolves to is judged: DNS cannot smuggle in 127.0.0.1 or 10.x.
    const lookup = createCheckedLookup({
      judge: (address) => (anyAddress || isAddressAllowed(rules, address, target.port) ? undefined : `it resolves to ${address}, a non-public address`),
      refuse: (_hostname, reason) => (refusal = denied(target.label, ` (${reason})`)),
      resolve: deps.lookup,
    });
    const send = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolvePromise, reject) => {
      const req = send(request.url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        agent: false,
        lookup,
        signal,
      });
      req.once('response', (res) => resolvePromise({ res, label: target.label }));
      req.once('error', (err) => {
        if (refusal) reject(refusal);
        else if (signal.aborted) reject(new NetFetchError(`fetch to "${target.label}" was aborted: the hook call reached its deadline`, 'aborted', target.label));
        else reject(new NetFetchError(`fetch to "${target.label}" failed: ${(err as Error).message}`, 'network', target.label));
      });
      req.end(request.body);
    });
  }

  return async function netFetch(first, signal) {
    let request = first;
    for (let hop = 0; ; hop += 1) {
      if (signal.aborted) throw new NetFetchError('fetch was aborted: the hook call reached its deadline', 'aborted', request.url.host);
      const { res, label } = await once(request, signal);
      const location = res.headers.location;
      if (request.redirect !== 'manual' && REDIRECTS.has(res.statusCode ?? 0) && location) {
        res.destroy();
        if (request.redirect === 'error') throw new NetFetchError(`fetch to "${label}" was redirected and redirect is "error"`, 'redirect', label);
        if (hop >= MAX_REDIRECTS) throw new NetFetchError(`fetch followed ${MAX_REDIRECTS} redirects from "${label}" and stopped`, 'redirect', label);
        request = nextHop(request, res.statusCode as number, location);
        continue;
      }
      try {
        const body = await readBody(res, maxResponseBytes, label);
        return { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', url: request.url.href, redirected: hop > 0, headers: sortedHeaders(res), body };
      } catch (err) {
        if (err instanceof NetFetchError) throw err;
        if (signal.aborted) throw new NetFetchError(`fetch to "${label}" was aborted: the hook call reached its deadline`, 'aborted', label);
        throw new NetFetchError(`reading the response from "${label}" failed: ${(err as Error).message}`, 'network', label);
      }
    }
  };
}

// Fetch's rules: 303 (and 301/302 after POST) become a GET without body; credentials do not
// follow a redirect to another origin.
function nextHop(request: NetRequest, status: number, location: string): NetRequest {
  let url: URL;
  try {
    url = new URL(location, request.url);
  } catch {
    throw new NetFetchError(`the redirect location "${location.slice(0, 200)}" is not a URL`, 'redirect', request.url.host);
  }
  const toGet = status === 303 ? request.method !== 'HEAD' : (status === 301 || status === 302) && request.method === 'POST';
  let headers = request.headers;
  if (toGet) headers = headers.filter(([name]) => !name.startsWith('content-'));
  if (url.origin !== request.url.origin) headers = headers.filter(([name]) => name !== 'authorization' && name !== 'cookie' && name !== 'proxy-authorization');
  const next: NetRequest = { url, method: toGet ? 'GET' : request.method, headers, redirect: request.redirect };
  if (!toGet && request.body) next.body = request.body;
  return next;
}
