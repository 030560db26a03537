// ctx.fetch: the hook's only way to the network, present only with a net grant. Reads the
// hook's arguments once into plain data, runs net-fetch.ts outside the compartment, and hands
// back a hardened Response-like object made of plain values and closures (no host object, no
// Node error). Worker-only (needs lockdown()'s `harden`).
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { callEndedError, denyCapability, hookError } from './capability-errors.ts';
import type { CapabilityDeps, CallSlot } from './call.ts';
import { checkExternalMemory } from '../worker/external-memory.ts';
import { boundedString } from '../worker/bounded-text.ts';
import { hrefOf, searchParamsText } from '../worker/bounded-url.ts';
import { parseNetAllowlist } from './net-allowlist.ts';
import { createNetFetch, NetFetchError, type NetRequest, type NetResponse } from './net-fetch.ts';

const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
// Set by us from the URL and body, or meaningless per hop: a hook's value would only confuse.
const DROPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'accept-encoding']);
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** Response headers as a hook sees them: read-only, names case-insensitive. */
export interface HookHeaders {
  get(name: string): string | null;
  has(name: string): boolean;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  forEach(callback: (value: string, name: string) => void): void;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

/** A web-like Response: the body is already read (up to net.maxResponseBytes); read it as often as needed. */
export interface HookResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: HookHeaders;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
}

/**
 * `ctx.fetch(url, init?)`: an HTTP(S) request to a host the hook's `permissions.net` allows.
 *
 * ```js
 * export default async function (event, ctx) {
 *   const res = await ctx.fetch('https://api.themoviedb.org/3/search/movie?query=' + encodeURIComponent(event.payload.title), {
 *     headers: { authorization: `Bearer ${ctx.env.TMDB_API_KEY}`, accept: 'application/json' },
 *   });
 *   if (!res.ok) throw new Error(`TMDB answered ${res.status}`);
 *   return (await res.json()).results[0];
 * }
 * ```
 * - `url`: a string or URL, http: or https: only. Host and port must match an allowlist entry,
 *   checked again on every redirect (at most 5) and on every address the name resolves to:
 *   loopback, private and link-local addresses only when an entry names that IP (or
 *   `localhost`). Otherwise it throws `net access to "host:port" not granted: add it to
 *   permissions.net` (a PermissionDeniedError, recorded with the invocation).
 * - `init`: `method`, `headers` (object, [name, value] pairs or a headers object), `body`
 *   (string, Uint8Array/ArrayBuffer, URLSearchParams), `redirect` ('follow' | 'manual' | 'error').
 *   `signal` is ignored: the call's deadline always applies and aborts the request
 *   (an error named TimeoutError). Responses are not decompressed (we ask for identity).
 * - Resolves once the whole body is read; a body over the granted size is a RangeError.
 *   Network failures are TypeErrors, as in web fetch.
 */
export type HookFetch = (input: string | URL, init?: HookRequestInit) => Promise<HookResponse>;

/** What a hook may pass as `init` (read as untrusted data all the same: see readRequest). */
export interface HookRequestInit {
  method?: string;
  headers?: Record<string, string> | Array<[string, string]>;
  body?: string | Uint8Array | ArrayBuffer | URLSearchParams;
  redirect?: 'follow' | 'manual' | 'error';
}

function invalid(message: string): Error {
  return hookError(TypeError, `ctx.fetch: ${message}`);
}

function readHeaders(raw: unknown): Array<[string, string]> {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object') throw invalid('headers must be an object, an array of [name, value] pairs or a headers object');
  let pairs: Iterable<unknown>;
  if (Array.isArray(raw)) pairs = raw;
  else if (typeof (raw as { entries?: unknown }).entries === 'function' && !Object.hasOwn(raw, 'entries')) pairs = (raw as { entries(): Iterable<unknown> }).entries();
  else pairs = Object.entries(raw);
  const out: Array<[string, string]> = [];
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) throw invalid('each header must be a [name, value] pair');
    const name = String(pair[0]).toLowerCase();
    const value = String(pair[1]);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw invalid(`invalid header ${JSON.stringify(name.slice(0, 100))}`);
    }
    if (!DROPPED_HEADERS.has(name)) out.push([name, value]);
  }
  return out;
}

// Strings are checked against the native budget before Buffer.from copies them (native-budget.ts).
function readBody(call: CallSlot, raw: unknown, headers: Array<[string, string]>): Uint8Array | undefined {
  if (raw === undefined || raw === null) return undefined;
  let type: string | undefined;
  let bytes: Uint8Array;
  const form = typeof raw === 'object' ? searchParamsText(raw) : undefined;
  if (typeof raw === 'string') {
    bytes = Buffer.from(boundedString(call, 'ctx.fetch body', raw), 'utf8');
    type = 'text/plain;charset=UTF-8';
  } else if (form !== undefined) {
    bytes = Buffer.from(boundedString(call, 'ctx.fetch body', form), 'utf8');
    type = 'application/x-www-form-urlencoded;charset=UTF-8';
  } else if (raw instanceof ArrayBuffer) {
    bytes = new Uint8Array(raw.slice(0));
  } else if (ArrayBuffer.isView(raw)) {
    bytes = new Uint8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  } else {
    throw invalid('body must be a string, a Uint8Array, an ArrayBuffer or URLSearchParams');
  }
  if (type && !headers.some(([name]) => name === 'content-type')) headers.push(['content-type', type]);
  return bytes;
}

/** The hook's (url, init) -> a request; every hook value is read once, here. */
function readRequest(call: CallSlot, input: unknown, init: unknown): NetRequest {
  const href = typeof input === 'string' ? boundedString(call, 'ctx.fetch', input) : hrefOf(input);
  if (href === undefined) throw invalid('the URL must be a string or a URL');
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw invalid(`invalid URL ${JSON.stringify(href.slice(0, 200))}`);
  }
  if (init !== undefined && init !== null && typeof init !== 'object') throw invalid('init must be an object');
  const { method: rawMethod = 'GET', headers: rawHeaders, body: rawBody, redirect = 'follow' } = (init ?? {}) as Record<string, unknown>;
  if (typeof rawMethod !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(rawMethod)) throw invalid('method must be an HTTP method name');
  const method = NORMALIZED_METHODS.has(rawMethod.toUpperCase()) ? rawMethod.toUpperCase() : rawMethod;
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw invalid(`method ${method} is not allowed`);
  if (redirect !== 'follow' && redirect !== 'manual' && redirect !== 'error') throw invalid('redirect must be "follow", "manual" or "error"');
  const headers = readHeaders(rawHeaders);
  const body = readBody(call, rawBody, headers);
  if (body && (method === 'GET' || method === 'HEAD')) throw invalid(`a ${method} request cannot have a body`);
  headers.push(['accept-encoding', 'identity']);
  if (!headers.some(([name]) => name === 'user-agent')) headers.push(['user-agent', 'hookd']);
  if (!headers.some(([name]) => name === 'accept')) headers.push(['accept', '*/*']);
  const request: NetRequest = { url, method, headers, redirect };
  if (body) request.body = body;
  return request;
}

function createHookHeaders(list: ReadonlyArray<[string, string]>): HookHeaders {
  const byName = new Map(list);
  const entries = () => list.map(([name, value]) => harden([name, value]) as [string, string])[Symbol.iterator]();
  return harden({
    get: (name: string) => byName.get(String(name).toLowerCase()) ?? null,
    has: (name: string) => byName.has(String(name).toLowerCase()),
    entries,
    keys: () => list.map(([name]) => name)[Symbol.iterator](),
    values: () => list.map(([, value]) => value)[Symbol.iterator](),
    forEach(callback: (value: string, name: string) => void) {
      for (const [name, value] of list) callback(value, name);
    },
    [Symbol.iterator]: entries,
  });
}

function createHookResponse(res: NetResponse): HookResponse {
  const { body } = res;
  return harden({
    status: res.status,
    statusText: res.statusText,
    ok: res.status >= 200 && res.status <= 299,
    url: res.url,
    redirected: res.redirected,
    headers: createHookHeaders(res.headers),
    text: async () => body.toString('utf8'),
    json: async (): Promise<unknown> => JSON.parse(body.toString('utf8')),
    arrayBuffer: async () => new Uint8Array(body).buffer,
    bytes: async () => new Uint8Array(body),
  });
}

function toHookError(call: CallSlot, err: unknown): Error {
  if (!(err instanceof NetFetchError)) return hookError(TypeError, `fetch failed: ${err instanceof Error ? err.message : String(err)}`);
  switch (err.kind) {
    case 'denied': return denyCapability(call, 'net', err.target, err.message);
    case 'aborted': return hookError(Error, err.message, { name: 'TimeoutError' });
    case 'too-large': return hookError(RangeError, err.message);
    default: return hookError(TypeError, err.message);
  }
}

export function buildFetch(deps: CapabilityDeps): HookFetch | undefined {
  const grant = deps.grants.net;
  if (!grant || !Array.isArray(grant.allow)) return undefined;
  const max = grant.maxResponseBytes;
  const netFetch = createNetFetch({
    rules: parseNetAllowlist(grant.allow).rules,
    maxResponseBytes: typeof max === 'number' && max > 0 && Number.isFinite(max) ? max : DEFAULT_MAX_RESPONSE_BYTES,
  });
  const { call } = deps;
  return async function fetch(input, init) {
    const current = call.current;
    if (!current) throw callEndedError('ctx.fetch');
    checkExternalMemory(call, 'ctx.fetch');
    const request = readRequest(call, input, init);
    let response: NetResponse;
    try {
      response = await netFetch(request, current.signal());
    } catch (err) {
      throw toHookError(call, err);
    }
    // The body is held outside the heap too: a hook fetching into its bound stops here.
    checkExternalMemory(call, 'ctx.fetch');
    return createHookResponse(response);
  };
}
