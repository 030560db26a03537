// The HTTP server the API is served on: Node's limits on slow and surplus clients, from
// config.server, and JSON answers to what Node refuses before koa sees it. Creating it does not
// listen (the composition root does).
import { createServer, type RequestListener, type Server } from 'node:http';
import type { ServerConfig } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { answerClientError, answerUnmetExpectation } from './client-error.ts';

/** How often refused connections are logged at most (a flood must not flood the log too). */
const DROP_LOG_INTERVAL_MS = 10_000;

export interface HttpServerDeps {
  handle: RequestListener;
  config: ServerConfig;
  log: Logger;
}

export function createHttpServer(deps: HttpServerDeps): Server {
  const { config } = deps;
  const server = createServer({
    // Receiving a request (headers and body) is bounded: a body trickled a byte at a time held
    // its connection for Node's default 5 minutes. Once a request has arrived the timer stops,
    // so a long response (a /stream) is never cut by it.
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: config.headersTimeoutMs,
    // Node checks the two timeouts on this tick (30 s by default, longer than short timeouts).
    connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.floor(config.headersTimeoutMs / 10))),
    keepAliveTimeout: config.keepAliveTimeoutMs,
  });
  server.on('request', deps.handle);
  server.on('clientError', answerClientError);
  server.on('checkExpectation', answerUnmetExpectation);
  // Past it Node closes new connections at once, unanswered (and emits 'drop').
  server.maxConnections = config.maxConnections;
  let dropped = 0;
  let lastLog = 0;
  server.on('drop', () => {
    dropped++;
    const now = Date.now();
    if (now - lastLog < DROP_LOG_INTERVAL_MS) return;
    deps.log.warn({ dropped, maxConnections: config.maxConnections }, 'connections refused: server.maxConnections are open');
    dropped = 0;
    lastLog = now;
  });
  return server;
}
