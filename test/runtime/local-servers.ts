// Local HTTP servers for the fetch suites: one the grants allow, with routes for each case
// (redirects, an oversized body, a server slower than the deadline), and one they do not.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  port: number;
  /** Requests seen, by path. */
  hits: string[];
  /** Requests whose client went away before the server answered (the slow route). */
  abandoned: number;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, body: string, self: LocalServer) => void;

export function allowedRoutes(otherPort: () => number, maxBytes: number): Record<string, Route> {
  return {
    '/json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] }).end('{"hello":"world"}'),
    '/echo': (req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, headers: req.headers, body })),
    '/redirect-ok': (_req, res) => res.writeHead(302, { location: '/json' }).end(),
    '/redirect-303': (_req, res) => res.writeHead(303, { location: '/echo' }).end(),
    '/redirect-evil': (_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${otherPort()}/steal` }).end(),
    '/redirect-loop': (_req, res) => res.writeHead(307, { location: '/redirect-loop' }).end(),
    '/big': (_req, res) => res.writeHead(200, { 'content-length': String(maxBytes + 1) }).end('x'.repeat(maxBytes + 1)),
    '/big-chunked': (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i <= maxBytes; i += 100) res.write('y'.repeat(100));
      res.end();
    },
    '/slow': (req, _res, _body, self) => {
      req.socket.once('close', () => { self.abandoned += 1; });
    },
  };
}

export async function startServer(routes: Record<string, Route> = {}): Promise<LocalServer> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { body += chunk; });
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      self.hits.push(path);
      const route = routes[path];
      if (route) route(req, res, body, self);
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(`reached ${path}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const self: LocalServer = {
    port: (server.address() as AddressInfo).port,
    hits: [],
    abandoned: 0,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  return self;
}
