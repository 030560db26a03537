// A loopback TCP proxy a test can cut or stall. Cut: every open connection through it is reset and
// new ones are refused (ECONNREFUSED), as from a database server that went away; restored, it
// forwards again on the same port. Stalled: nothing is forwarded either way and nothing is closed,
// as in a partition or from a server that stopped answering; resumed, what was held goes through.
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
  close(): Promise<void>;
}

interface Pair {
  inbound: Socket;
  outbound: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<Pair>();
  let stalled = false;
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
      const pair = { inbound, outbound: createConnection(target) };
      track(inbound);
      track(pair.outbound);
      pairs.add(pair);
      if (stalled) hold(pair);
      else forward(pair);
      inbound.on('close', () => pairs.delete(pair) && pair.outbound.destroy());
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
      for (const pair of pairs) forward(pair);
    },
    close: cut,
  };
}
