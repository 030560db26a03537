// A TCP proxy on loopback that can turn its open connections into a black hole: both directions
// stop being forwarded and nothing is closed, as when a NAT or firewall drops a flow or the peer
// vanishes (no FIN, no RST). Connections opened after a freeze are forwarded normally.
import { connect, createServer, type Socket } from 'node:net';

export interface FreezingProxy {
  port: number;
  /** `url` (a postgres:// URL) pointed at the proxy instead of its own host and port. */
  through(url: string): string;
  /** Black-holes every connection open now. */
  freeze(): void;
  /** How many frozen connections the client side has closed since. */
  frozenClosedByClient(): number;
  /** Closes every connection (a frozen one's client then sees it end) and stops listening; again is a no-op. */
  close(): Promise<void>;
}

export async function startFreezingProxy(target: { host: string; port: number }): Promise<FreezingProxy> {
  const open = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  let frozenClosedByClient = 0;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream, frozen: false };
    open.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const closeBoth = () => {
      if (!open.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      if (pair.frozen && open.has(pair)) frozenClosedByClient += 1;
      closeBoth();
    });
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const drop = () => {};
  return {
    port,
    through(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    freeze() {
      for (const pair of open) {
        if (pair.frozen) continue;
        pair.frozen = true;
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        // Read and drop, so the proxy still sees the client close its side.
        pair.client.on('data', drop).resume();
        pair.upstream.on('data', drop).resume();
      }
    },
    frozenClosedByClient: () => frozenClosedByClient,
    async close() {
      if (!server.listening) return;
      for (const pair of open) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
