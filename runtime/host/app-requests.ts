// The host side of ctx.apps, in the sandbox host process: one MessagePort per call, over which the
// call's worker asks for requests to the *arr apps it was granted. The host holds the API keys,
// adds X-Api-Key, keeps every request under the app's base URL (capabilities/app-path.ts), sends it through
// capabilities/net-fetch.ts (the call's deadline, the response cap, no redirect followed) and redacts the key
// from what it answers, so neither the hook nor its worker ever holds the key.
import { isIP } from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { resolveAppUrl } from '../capabilities/app-path.ts';
import { canonicalHost } from '../capabilities/net-allowlist.ts';
import { createNetFetch, NetFetchError, type NetRequest } from '../capabilities/net-fetch.ts';
import type { AppEndpoint, AppReply, AppRequest, HookGrants } from '../protocol.ts';
import { createRedactor } from '../worker/redact.ts';

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

export interface AppChannel {
  /** The worker's end: transfer it with the task. */
  port: MessagePort;
  /** Ends the call's channel and aborts requests still in flight. */
  close(): void;
}

/** Splits the grants: what a worker may see, and the endpoints (with keys) only the host keeps. */
export function splitAppGrants(grants: HookGrants): { grants: HookGrants; endpoints?: Record<string, AppEndpoint>; maxResponseBytes: number } {
  const apps = grants.apps;
  if (!apps) return { grants, maxResponseBytes: 0 };
  return {
    grants: { ...grants, apps: { names: apps.names, maxResponseBytes: apps.maxResponseBytes } },
    endpoints: apps.endpoints ?? {},
    maxResponseBytes: apps.maxResponseBytes,
  };
}

interface ReadyEndpoint {
  base: URL;
  apiKey: string;
  fetch: ReturnType<typeof createNetFetch>;
  redact: (text: string) => string;
}

function prepare(endpoint: AppEndpoint, maxResponseBytes: number): ReadyEndpoint | string {
  if ('problem' in endpoint) return endpoint.problem;
  const base = new URL(endpoint.url);
  const host = canonicalHost(base.hostname.replace(/^\[|\]$/g, '')) ?? base.hostname;
  const port = base.port ? Number(base.port) : base.protocol === 'https:' ? 443 : 80;
  // The configured host is the admin's choice: reachable wherever it resolves (loopback, the
  // LAN). Nothing else is: the rule names that host and port only.
  const rules = [{ host, port, wildcard: false, ip: isIP(host) !== 0 }];
  const redactor = createRedactor([endpoint.apiKey]);
  return {
    base,
    apiKey: endpoint.apiKey,
    fetch: createNetFetch({ rules, maxResponseBytes, anyAddress: true }),
    redact: (text) => (redactor ? redactor.text(text) : text),
  };
}

/** Opens one call's channel; the host closes it when the call ends (or at its deadline). */
export function openAppChannel(deps: { endpoints: Record<string, AppEndpoint>; maxResponseBytes: number; deadline: number }): AppChannel {
  const { port1, port2 } = new MessageChannel();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, deps.deadline - Date.now()));
  const ready = new Map<string, ReadyEndpoint | string>();

  function endpointFor(app: string): ReadyEndpoint | string {
    let found = ready.get(app);
    if (found === undefined) {
      const endpoint = Object.hasOwn(deps.endpoints, app) ? deps.endpoints[app] : undefined;
      found = endpoint ? prepare(endpoint, deps.maxResponseBytes) : `app "${app}" is not granted`;
      ready.set(app, found);
    }
    return found;
  }

  async function answer(request: AppRequest): Promise<AppReply> {
    const { id, app } = request;
    const endpoint = endpointFor(String(app));
    if (typeof endpoint === 'string') return { id, error: { kind: 'unavailable', message: endpoint, target: String(app) } };
    const url = resolveAppUrl(endpoint.base, request.path);
    const shown = typeof request.path === 'string' ? request.path.slice(0, 200) : String(request.path);
    if (typeof url === 'string') {
      const message = `apps access to ${app} path ${JSON.stringify(shown)} refused: ${url}`;
      return { id, error: { kind: 'denied', message: endpoint.redact(message), target: endpoint.redact(`${app} ${shown}`) } };
    }
    if (!METHODS.has(request.method)) return { id, error: { kind: 'network', message: `method ${String(request.method).slice(0, 20)} is not one of GET, POST, PUT, DELETE`, target: app } };
    const headers: Array<[string, string]> = [
      ['x-api-key', endpoint.apiKey],
      ['accept', 'application/json'],
      ['accept-encoding', 'identity'],
      ['user-agent', 'hookd'],
    ];
    const netRequest: NetRequest = { url, method: request.method, headers, redirect: 'manual' };
    if (typeof request.body === 'string') {
      headers.push(['content-type', 'application/json']);
      netRequest.body = Buffer.from(request.body, 'utf8');
    }
    try {
      const res = await endpoint.fetch(netRequest, controller.signal);
      return {
        id,
        status: res.status,
        statusText: endpoint.redact(res.statusText),
        headers: res.headers.map(([name, value]) => [name, endpoint.redact(value)]),
        body: endpoint.redact(res.body.toString('utf8')),
      };
    } catch (err) {
      const kind = err instanceof NetFetchError ? err.kind : 'network';
      const message = err instanceof Error ? err.message : String(err);
      return { id, error: { kind: kind === 'denied' ? 'network' : kind, message: endpoint.redact(message), target: app } };
    }
  }

  port1.on('message', (request: AppRequest) => {
    answer(request).then(
      (reply) => port1.postMessage(reply),
      () => port1.postMessage({ id: request?.id, error: { kind: 'network', message: 'the request failed', target: String(request?.app) } } satisfies AppReply),
    );
  });
  return {
    port: port2,
    close() {
      clearTimeout(timer);
      controller.abort();
      port1.close();
    },
  };
}
