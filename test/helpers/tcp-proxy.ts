// A loopback TCP proxy a test can cut, stall or freeze. Cut: every open connection through it is
// reset and new ones are refused (ECONNREFUSED), as from a database server that went away;
// restored, it forwards again on the same port. Stalled: nothing is forwarded either way and
// nothing is closed, as in a partition or from a server that stopped answering; resumed, what was
// held goes through. Frozen: the connections open now become a black hole for good (bytes read
// and dropped, nothing closed), as when a NAT or firewall drops a flow; new ones pass.
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Resets every connection and stops listening. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /**
   * Holds every byte both ways, on open connections and on those opened meanwhile (accepted, so a
   * connect does not fail: it gets no answer), and closes nothing.
   */
  stall(): void;
  /** Forwards again, what was held first, and only then a close held behind it: as TCP delivers what it retransmitted once a partition heals. */
  resume(): void;
  /** Black-holes every connection open now (for good); connections opened later are forwarded. */
  freeze(): void;
  /** How many frozen connections their client has closed since. */
  frozenClosedByClient(): number;
  /** `url` (a postgres:// URL) pointed at the proxy instead of its own host and port. */
  through(url: string): string;
  close(): Promise<void>;
}

interface Pair {
  inbound: Socket;
  outbound: Socket;
  frozen?: boolean;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<Pair>();
  let stalled = false;
  let frozenClosedByClient = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  // A paused socket reads nothing: its bytes (and a peer's FIN behind them) wait in the buffers.
  const hold = ({ inbound, outbound }: Pair) => {
    inbound.unpipe(outbound).pause();
    outbound.unpipe(inbound).pause();
  };
  const forward = ({ inbound, outbound }: Pair) => {
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  };
  const makeServer = () =>
    createServer((inbound) => {
      const pair: Pair = { inbound, outbound: createConnection(target) };
      track(inbound);
      track(pair.outbound);
      pairs.add(pair);
      if (stalled) hold(pair);
      else forward(pair);
      inbound.on('close', () => {
        if (pair.frozen && pairs.has(pair)) frozenClosedByClient += 1;
        if (pairs.delete(pair)) pair.outbound.destroy();
      });
      pair.outbound.on('close', () => pairs.delete(pair) && inbound.destroy());
    });
  let server: Server | undefined = makeServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  async function cut(): Promise<void> {
    if (!server) return;
    const closed = once(server, 'close');
    server.close();
    server = undefined;
    for (const socket of sockets) socket.resetAndDestroy();
    await closed;
  }

  return {
    port,
    cut,
    async restore() {
      if (server) return;
      server = makeServer();
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    stall() {
      if (stalled) return;
      stalled = true;
      for (const pair of pairs) hold(pair);
    },
    resume() {
      if (!stalled) return;
      stalled = false;
      for (const pair of pairs) if (!pair.frozen) forward(pair);
    },
    freeze() {
      for (const pair of pairs) {
        if (pair.frozen) continue;
        pair.frozen = true;
        hold(pair);
        // Read and dropped, so that the proxy still sees the client close its side.
        pair.inbound.on('data', () => {}).resume();
        pair.outbound.on('data', () => {}).resume();
      }
    },
    frozenClosedByClient: () => frozenClosedByClient,
    through(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    close: cut,
  };
}
