// Every route of the API, as the bad-input tests walk them: method, path template (":id"
// replaced per test), whether it reads a JSON body, and the query parameters it reads.
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** Reads a JSON body (an object, or for POST /events also a list or NDJSON). */
  body: boolean;
  query: string[];
  /** A live event stream once its checks pass. */
  stream?: boolean;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/healthz', body: false, query: [] },
  { method: 'GET', path: '/readyz', body: false, query: [] },
  { method: 'GET', path: '/metrics', body: false, query: [] },
  { method: 'POST', path: '/events', body: true, query: ['wait'] },
  { method: 'GET', path: '/events', body: false, query: ['type', 'since', 'limit', 'cursor'] },
  { method: 'GET', path: '/events/:id', body: false, query: [] },
  { method: 'GET', path: '/catalog', body: false, query: [] },
  { method: 'POST', path: '/hooks', body: true, query: [] },
  { method: 'GET', path: '/hooks', body: false, query: [] },
  { method: 'POST', path: '/hooks/test', body: true, query: [] },
  { method: 'GET', path: '/hooks/:id', body: false, query: [] },
  { method: 'PATCH', path: '/hooks/:id', body: true, query: [] },
  { method: 'DELETE', path: '/hooks/:id', body: false, query: [] },
  { method: 'GET', path: '/hooks/:id/invocations', body: false, query: ['limit', 'before'] },
  { method: 'POST', path: '/hooks/:id/test', body: true, query: [] },
  { method: 'POST', path: '/webhooks', body: true, query: [] },
  { method: 'GET', path: '/webhooks', body: false, query: [] },
  { method: 'GET', path: '/webhooks/:id', body: false, query: [] },
  { method: 'PATCH', path: '/webhooks/:id', body: true, query: [] },
  { method: 'DELETE', path: '/webhooks/:id', body: false, query: [] },
  { method: 'POST', path: '/webhooks/:id/rotate-secret', body: true, query: [] },
  { method: 'POST', path: '/webhooks/:id/test', body: false, query: [] },
  { method: 'GET', path: '/webhooks/:id/deliveries', body: false, query: ['status', 'limit', 'cursor'] },
  { method: 'GET', path: '/deliveries/:id', body: false, query: [] },
  { method: 'POST', path: '/deliveries/:id/redeliver', body: false, query: [] },
  { method: 'GET', path: '/stream', body: false, query: ['types', 'lastEventId', 'access_token'], stream: true },
  { method: 'GET', path: '/progress', body: false, query: ['types', 'key', 'access_token'] },
  { method: 'GET', path: '/stats', body: false, query: [] },
];

/** Builds raw HTTP/1.1 request bytes; `body` as given (a Buffer may hold any bytes). */
export function buildRequest(method: string, target: string, headers: Record<string, string>, body?: string | Buffer): Buffer {
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const all: Record<string, string> = { host: 'localhost', connection: 'close', ...headers };
  if (bytes !== undefined && !Object.keys(all).some((h) => h.toLowerCase() === 'content-length')) all['content-length'] = String(bytes.length);
  const head = `${method} ${target} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes ?? Buffer.alloc(0)]);
}
