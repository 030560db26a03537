// The sandbox host: a child process of the daemon that owns the worker pools. It runs under
// an RLIMIT_DATA budget (set by client/spawn-host.ts), which bounds what V8's resourceLimits do not:
// ArrayBuffer memory of every hook together. Side effects: IPC listeners, exits with its parent.
import { createRecordCache } from '../channel/hook-records.ts';
import { createCoalescingSender } from '../channel/ipc-coalesce.ts';
import { createChainRunner } from './chain.ts';
import { createPools, type Pools } from './pool.ts';
import type { HostMessage, HostRequest } from '../protocol.ts';

const out = createCoalescingSender<HostMessage>({
  write(message) {
    if (process.connected) process.send?.(message);
  },
  wrap: (messages) => ({ t: 'many', messages }),
  schedule: setImmediate,
  onError() {
    // The daemon is gone: 'disconnect' below ends us.
  },
});

let pools: Pools | undefined;
// Set by 'close': closing the pools fails what they still run (an init whose warm worker is
// starting, when the daemon's start failed elsewhere), which is the close, not a failure.
let closing = false;
const records = createRecordCache();
const runChain = createChainRunner({
  run: (task) => {
    if (!pools) throw new Error('sandbox host got a chain before init');
    return pools.run(task);
  },
  records,
});

async function handle(request: HostRequest): Promise<void> {
  switch (request.t) {
    case 'init': {
      pools = createPools({ options: request.options, onEvent: (event) => out.send({ t: 'event', event }) });
      await pools.start();
      out.send({ t: 'ready' });
      return;
    }
    case 'run': {
      if (!pools) throw new Error('sandbox host got a task before init');
      const hook = records.resolve(request.task.hook);
      if (!hook) {
        out.send({ t: 'miss', id: request.id });
        return;
      }
      const outcome = await pools.run({ ...request.task, hook });
      out.send({ t: 'outcome', id: request.id, outcome });
      return;
    }
    case 'chain': {
      if (!pools) throw new Error('sandbox host got a chain before init');
      const outcome = await runChain(request.chain);
      out.send(outcome ? { t: 'chain-outcome', id: request.id, outcome } : { t: 'miss', id: request.id });
      return;
    }
    case 'ping': {
      out.send({ t: 'pong', id: request.id, status: { pid: process.pid, pools: pools?.stats().pools ?? {} } });
      return;
    }
    case 'many': {
      for (const one of request.requests) dispatch(one);
      return;
    }
    case 'close': {
      closing = true;
      await pools?.close();
      out.flush();
      process.exit(0);
    }
  }
}

function dispatch(request: HostRequest): void {
  handle(request).catch((err: unknown) => {
    if (closing) return; // 'close' exits once the pools are closed
    // Our own bug, not a hook's: die loudly, the daemon restarts us and reports `crashed`.
    console.error('hookd sandbox host failed:', err);
    process.exit(70);
  });
}

process.on('message', dispatch);
// The daemon is gone (or closed the channel): nothing will ever read our outcomes.
process.on('disconnect', () => process.exit(0));
