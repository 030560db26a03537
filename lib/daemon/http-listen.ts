// Listening on the API's HTTP server and closing it within a bound (part of the composition root,
// lib/daemon.ts; the server itself is made by api/http-server.ts). Side effect: the listening socket.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { settingName, type ServerConfig } from '../config/index.ts';
import { errors } from '../errors.ts';

/**
 * Listens on config's host and port and resolves with the URL; rejects with a CONFIG error that
 * says why not and names the settings (`setByEnv`: the variables that set them, config.setByEnv).
 */
export async function listenHttp(server: Server, config: Pick<ServerConfig, 'host' | 'port'>, setByEnv?: Readonly<Record<string, string>>): Promise<string> {
  server.listen(config.port, config.host);
  try {
    await once(server, 'listening');
  } catch (cause) {
    const settings = `${settingName('server.host', setByEnv)}, ${settingName('server.port', setByEnv)}`;
    throw errors.listen(config.host, config.port, settings, cause);
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Stops accepting, lets in-flight requests finish, and cuts what is left after the bound. */
export async function closeHttpServer(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
}
