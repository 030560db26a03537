// A local stand-in of an *arr app's REST API (Radarr, Sonarr) on 127.0.0.1: it requires the
// X-Api-Key header (401 otherwise), serves resources by path, refuses a PUT body that lacks any
// field of the resource it replaces (400, as the apps do when a partial resource comes back),
// and has two endpoints a hook should never learn the key from: /echo (the request's headers)
// and /redirect (302 to /echo).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ArrStandIn {
  url: string;
  /** Path -> JSON resource; a PUT replaces it, a POST to a collection appends to it. */
  resources: Map<string, any>;
  requests: Array<{ method: string; path: string; apiKey: string | undefined }>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
  });
}

export async function startArrStandIn(apiKey: string, resources: Record<string, unknown>): Promise<ArrStandIn> {
  const state: ArrStandIn = { url: '', resources: new Map(Object.entries(structuredClone(resources))), requests: [], close: async () => {} };
  const server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    const given = req.headers['x-api-key'] as string | undefined;
    state.requests.push({ method: req.method ?? '', path, apiKey: given });
    const text = await readBody(req);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (given !== apiKey) return send(401, { message: 'Unauthorized' });
    if (path === '/echo') return send(200, { headers: req.headers, url: req.url });
    if (path === '/redirect') {
      res.writeHead(302, { location: `/echo?key=${apiKey}` });
      return res.end();
    }
    const current = state.resources.get(path);
    if (current === undefined) return send(404, { message: 'NotFound' });
    if (req.method === 'GET') return send(200, current);
    if (req.method === 'PUT') {
      const body = JSON.parse(text || 'null');
      const missing = Object.keys(current).filter((k) => !(k in (body ?? {})));
      if (missing.length > 0) return send(400, [{ propertyName: missing[0], errorMessage: `'${missing[0]}' must not be empty.` }]);
      state.resources.set(path, body);
      return send(202, body);
    }
    if (req.method === 'POST' && Array.isArray(current)) {
      const created = { id: current.length + 100, ...JSON.parse(text) };
      current.push(created);
      return send(201, created);
    }
    return send(405, { message: 'Method not allowed' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
