import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createCompiler, type CompiledHook } from '../../../runtime/index.ts';
import { createRecordCache, createSentRecords } from '../../../runtime/channel/hook-records.ts';
import type { HostMessage, HostRequest, WireTask } from '../../../runtime/protocol.ts';
import { spawnSandboxHost } from '../../../runtime/client/spawn-host.ts';
import { compileFixture, taskFor } from '../harness.ts';

// Talks to a sandbox host over its IPC channel, as client/sandbox.ts does, one message at a time.
function createClient(child: ChildProcess) {
  const inbox: HostMessage[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (message: HostMessage) => {
    const flat = message.t === 'many' ? message.messages : [message];
    inbox.push(...flat);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    send: (request: HostRequest) => child.send(request),
    async next(): Promise<HostMessage> {
      while (inbox.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return inbox.shift() as HostMessage;
    },
  };
}

describe('the host keeps compiled records by hash, and asks for one it lacks', () => {
  const compiler = createCompiler(DEFAULT_SANDBOX_OPTIONS);
  let child: ChildProcess;
  let client: ReturnType<typeof createClient>;
  let echo: CompiledHook;
  before(async () => {
    child = spawnSandboxHost({ memoryBudgetMb: DEFAULT_SANDBOX_OPTIONS.memoryBudgetMb });
    client = createClient(child);
    client.send({ t: 'init', options: { ...DEFAULT_SANDBOX_OPTIONS, minThreads: 1, maxThreads: 1 } });
    assert.equal((await client.next()).t, 'ready');
    echo = await compileFixture(compiler, 'echo.js');
  });
  after(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    client.send({ t: 'close' });
    await exited;
    await compiler.close();
  });

  function wire(withRecord: boolean): WireTask {
    const task = taskFor(echo, { payload: { withRecord } });
    return { ...task, hook: withRecord ? echo : { hash: echo.hash, filename: echo.filename } };
  }

  it('answers miss for a reference it has no record for, then runs it once the record came', async () => {
    client.send({ t: 'run', id: 1, task: wire(false) });
    assert.deepEqual(await client.next(), { t: 'miss', id: 1 });
    client.send({ t: 'run', id: 2, task: wire(true) });
    const first = await client.next();
    assert.equal(first.t === 'outcome' && first.outcome.status, 'ok');
    client.send({ t: 'run', id: 3, task: wire(false) });
    const second = await client.next();
    assert.ok(second.t === 'outcome' && second.id === 3);
    assert.equal(second.outcome.status, 'ok', 'a reference is enough once the host has the record');
  });

  it('runs every call of a coalesced batch, in one message each way when they finish together', async () => {
    client.send({ t: 'many', requests: [4, 5, 6].map((id) => ({ t: 'run', id, task: wire(false) }) as HostRequest) });
    const ids = [];
    for (let i = 0; i < 3; i += 1) {
      const message = await client.next();
      assert.equal(message.t, 'outcome');
      if (message.t === 'outcome') ids.push(message.id);
    }
    assert.deepEqual(ids.sort(), [4, 5, 6]);
  });
});

describe('record bookkeeping', () => {
  const hook = (hash: string): CompiledHook => ({ hash, filename: 'hooks/a.js', record: { program: hash } });

  it('sends a record once per host, again when asked or after a reset', () => {
    const sent = createSentRecords();
    assert.ok('record' in sent.refFor(hook('a'), false));
    assert.deepEqual(sent.refFor(hook('a'), false), { hash: 'a', filename: 'hooks/a.js' });
    assert.ok('record' in sent.refFor(hook('a'), true), 'a miss forces the record');
    sent.reset();
    assert.ok('record' in sent.refFor(hook('a'), false), 'a new host gets it again');
  });

  it('evicts the least recently used record', () => {
    const cache = createRecordCache(2);
    cache.resolve(hook('a'));
    cache.resolve(hook('b'));
    cache.resolve({ hash: 'a', filename: 'hooks/a.js' }); // a is now the most recent
    cache.resolve(hook('c'));
    assert.ok(cache.resolve({ hash: 'a', filename: 'hooks/a.js' }));
    assert.equal(cache.resolve({ hash: 'b', filename: 'hooks/a.js' }), undefined);
  });
});
