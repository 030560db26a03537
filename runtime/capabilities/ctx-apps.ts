// ctx.apps: the REST APIs of the *arr apps a hook's permissions.apps names. The worker never holds
// an app's URL or API key: each request goes over the call's MessagePort to the sandbox host
// (host/app-requests.ts), which adds the key, keeps the path under the app's base URL and answers
// with the key redacted. Worker-only (needs lockdown()'s `harden`).
import { callEndedError, denyCapability, hookError } from './capability-errors.ts';
import type { CallSlot, CallState, CapabilityDeps } from './call.ts';
import { checkExternalMemory } from '../worker/external-memory.ts';
import { boundedString } from '../worker/bounded-text.ts';
import { stringifyWithin, TOO_LONG } from '../worker/bounded-json.ts';
import type { AppReply, AppRequest } from '../protocol.ts';

/** The largest part of an error answer's body quoted in the error's message. */
const QUOTED_BODY_CHARS = 300;
// Lowercase names a hook might mean as an app ("radarr", "radarr/4k"): reading one that is not
// granted is a denial. Probes by tools and by await ("then", "constructor") are just undefined.
const APP_NAME = /^[a-z]+(\/[a-z0-9][a-z0-9_-]*)?$/;
const PROBES = new Set(['then', 'constructor']);

/**
 * One app's API, relative to its base URL (`integrations.<app>.url`). Each method resolves to the
 * parsed JSON body (null when empty, the text when it is not JSON); an answer outside 2xx throws
 * an `AppResponseError` with `status` and `body`.
 */
export interface HookAppClient {
  get(path: string): Promise<any>;
  post(path: string, body?: unknown): Promise<any>;
  put(path: string, body?: unknown): Promise<any>;
  delete(path: string): Promise<any>;
}

/**
 * `ctx.apps.<app>`: present only with `permissions.apps`, one client per granted app (`radarr`,
 * `sonarr`, `lidarr`, `readarr`, `prowlarr`, `whisparr`, or an instance such as `radarr/4k`).
 *
 * ```js
 * export const config = { events: ['media.added'], permissions: { apps: ['radarr'] } };
 * export default async function (event, ctx) {
 *   const movie = await ctx.apps.radarr.get(`/api/v3/movie/${event.payload.ids.radarr}`);
 *   movie.qualityProfileId = 7;
 *   await ctx.apps.radarr.put(`/api/v3/movie/${movie.id}`, movie); // the whole resource
 * }
 * ```
 * - hookd adds the `X-Api-Key` header; the hook never sees the key, and the key is replaced by
 *   `[redacted]` in everything the app answers.
 * - Paths start with "/" and stay under the app's base URL: no other host, scheme, "..", or
 *   encoded "/". Anything else throws a PermissionDeniedError (recorded with the invocation).
 * - The call's deadline and `runtime.maxFetchResponse` apply; redirects are not followed (a 3xx
 *   throws like any answer outside 2xx). An app the config does not set up throws an error whose
 *   `code` is `APP_NOT_CONFIGURED`.
 */
export type HookApps = Readonly<Record<string, HookAppClient>>;

type PortClient = NonNullable<CallState['apps']>;

function portClientOf(current: CallState): PortClient | undefined {
  if (current.apps) return current.apps;
  const port = current.appsPort;
  if (!port) return undefined;
  const client: PortClient = { nextId: 1, pending: new Map(), port };
  port.on('message', (reply: AppReply) => {
    const settle = client.pending.get(reply.id);
    client.pending.delete(reply.id);
    settle?.(reply);
  });
  current.apps = client;
  return client;
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function responseError(request: AppRequest, reply: AppReply, data: unknown): Error {
  const body = reply.body ?? '';
  const quoted = body.length > QUOTED_BODY_CHARS ? `${body.slice(0, QUOTED_BODY_CHARS)}...` : body;
  const error = new Error(`${request.app} answered ${reply.status} ${reply.statusText ?? ''} to ${request.method} ${request.path}${quoted ? `: ${quoted}` : ''}`);
  for (const [key, value] of [['name', 'AppResponseError'], ['code', 'APP_RESPONSE'], ['status', reply.status], ['body', data]] as const) {
    Object.defineProperty(error, key, { value, enumerable: key !== 'name', writable: true, configurable: true });
  }
  return harden(error);
}

function replyError(call: CallSlot, request: AppRequest, error: NonNullable<AppReply['error']>): Error {
  switch (error.kind) {
    case 'denied': return denyCapability(call, 'apps', error.target, error.message);
    case 'unavailable': return hookError(Error, `ctx.apps.${request.app}: ${error.message}`, { code: 'APP_NOT_CONFIGURED' });
    case 'aborted': return hookError(Error, error.message, { name: 'TimeoutError' });
    case 'too-large': return hookError(RangeError, error.message);
    default: return hookError(TypeError, error.message);
  }
}

function createClient(call: CallSlot, app: string, maxBodyBytes: number): HookAppClient {
  async function send(method: AppRequest['method'], path: string, body?: unknown): Promise<unknown> {
    const what = `ctx.apps.${app}.${method.toLowerCase()}`;
    const current = call.current;
    if (!current) throw callEndedError(what);
    checkExternalMemory(call, 'ctx.apps');
    const client = portClientOf(current);
    if (!client) throw hookError(Error, `${what}: this run has no channel to the apps`);
    const request: AppRequest = { id: client.nextId++, app, method, path: boundedString(call, what, path) };
    if (body !== undefined) {
      let text: string | undefined;
      try {
        text = stringifyWithin(body, maxBodyBytes);
      } catch (err) {
        if (err === TOO_LONG) throw hookError(RangeError, `${what}: the body is over the ${maxBodyBytes}-byte limit (runtime.maxFetchResponse)`);
        throw hookError(TypeError, `${what}: the body must be JSON data (${err instanceof Error ? err.message : String(err)})`);
      }
      if (text === undefined) throw hookError(TypeError, `${what}: the body must be JSON data`);
      if (Buffer.byteLength(text) > maxBodyBytes) throw hookError(RangeError, `${what}: the body is over the ${maxBodyBytes}-byte limit (runtime.maxFetchResponse)`);
      request.body = text;
    }
    const reply = await new Promise<AppReply>((resolve) => {
      client.pending.set(request.id, resolve);
      client.port.postMessage(request);
    });
    if (reply.error) throw replyError(call, request, reply.error);
    checkExternalMemory(call, 'ctx.apps');
    const data = parseBody(reply.body ?? '');
    const status = reply.status ?? 0;
    if (status < 200 || status > 299) throw responseError(request, reply, data);
    return data;
  }
  return harden({
    get: (path: string) => send('GET', path),
    post: (path: string, body?: unknown) => send('POST', path, body),
    put: (path: string, body?: unknown) => send('PUT', path, body),
    delete: (path: string) => send('DELETE', path),
  });
}

export function buildApps(deps: CapabilityDeps): HookApps | undefined {
  const grant = deps.grants.apps;
  if (!grant || !Array.isArray(grant.names)) return undefined;
  const { call } = deps;
  const clients: Record<string, HookAppClient> = Object.create(null);
  for (const name of grant.names) clients[name] = createClient(call, name, grant.maxResponseBytes);
  Object.freeze(clients);
  return new Proxy(clients, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      if (Object.hasOwn(target, name)) return target[name];
      if (APP_NAME.test(name) && !PROBES.has(name)) {
        throw denyCapability(call, 'apps', name, `apps access to "${name.slice(0, 100)}" not granted: add it to permissions.apps`);
      }
      return undefined;
    },
  });
}
