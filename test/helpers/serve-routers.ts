// Routers under test in the daemon's own Koa app (request log, error mapping, the real
// authenticator) on a loopback port, without a daemon: an admin and an events-only token.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Router from '@koa/router';
import type { Knex } from 'knex';
import { createApp } from '../../lib/api/app.ts';
import { createAuthenticator } from '../../lib/api/auth.ts';
import { createTokensStore } from '../../lib/db/tokens-store.ts';
import type { Logger } from '../../lib/log.ts';
import { request, type Reply } from './http.ts';

export const UNIT_ADMIN = 'unit-admin-token-0123456789';
export const UNIT_PRODUCER = 'unit-events-token-0123456789';

export interface ServedRouters {
  url: string;
  /** As admin unless `token` says otherwise (null: none). Answers are checked against the OpenAPI document. */
  call<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<Reply<T>>;
  close(): Promise<void>;
}

export async function serveRouters(deps: { db: Knex; log: Logger; routers: Router[] }): Promise<ServedRouters> {
  const auth = createAuthenticator({
    tokens: [
      { name: 'unit-admin', token: UNIT_ADMIN, scopes: ['admin'] },
      { name: 'unit-producer', token: UNIT_PRODUCER, scopes: ['events'] },
    ],
    store: createTokensStore(deps.db),
  });
  const app = createApp({ log: deps.log, authenticate: auth.authenticate, publicRouters: [], routers: deps.routers });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    call: (method, path, body, token = UNIT_ADMIN) => request(url, method, path, body, { token }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
