// The sandbox host: a child process of the daemon that owns the worker pools. It runs under
// an RLIMIT_DATA budget (set by sandbox.ts), which bounds what V8's resourceLimits do not:
// ArrayBuffer memory of every hook together. Side effects: IPC listeners, exits with its parent.
import { createPools, type Pools } from './pool.ts';
import type { HostMessage, HostRequest } from './protocol.ts';

function send(message: HostMessage): void {
  if (process.connected) process.send?.(message);
}

let pools: Pools | undefined;

async function handle(request: HostRequest): Promise<void> {
  switch (request.t) {
    case 'init': {
      pools = createPools({ options: request.options, onEvent: (event) => send({ t: 'event', event }) });
      await pools.start();
      send({ t: 'ready' });
      return;
    }
    case 'run': {
      if (!pools) throw new Error('sandbox host got a task before init');
      const outcome = await pools.run(request.task);
      send({ t: 'outcome', id: request.id, outcome });
      return;
    }
    case 'close': {
      await pools?.close();
      process.exit(0);
    }
  }
}

process.on('message', (request: HostRequest) => {
  handle(request).catch((err: unknown) => {
    // Our own bug, not a hook's: die loudly, the daemon restarts us and reports `crashed`.
    console.error('hookd sandbox host failed:', err);
    process.exit(70);
  });
});
// The daemon is gone (or closed the channel): nothing will ever read our outcomes.
process.on('disconnect', () => process.exit(0));
