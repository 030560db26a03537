// sandbox.ping(): a round trip to the host that runs no hook (readiness, metrics). It answers
// with the host's pid and pools, refuses while no host answers, and never starts one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createSandbox, type Sandbox, type SandboxEvent } from '../../../runtime/index.ts';

function nextEvent(events: SandboxEvent[], type: SandboxEvent['type'], from: number): Promise<SandboxEvent> {
  return new Promise((resolve, reject) => {
    const until = Date.now() + 30_000;
    const look = () => {
      const found = events.slice(from).find((e) => e.type === type);
      if (found) resolve(found);
      else if (Date.now() > until) reject(new Error(`no ${type} event`));
      else setTimeout(look, 10);
    };
    look();
  });
}

describe('sandbox.ping', () => {
  const events: SandboxEvent[] = [];
  let sandbox: Sandbox;
  before(async () => {
    sandbox = createSandbox({ ...DEFAULT_SANDBOX_OPTIONS, minThreads: 1, maxThreads: 2, onEvent: (e) => events.push(e) });
    await sandbox.start();
  });
  after(() => sandbox.close());

  it('answers with the running host\'s pid and its pools\' threads', async () => {
    const status = await sandbox.ping(5_000);
    assert.equal(status.pid, sandbox.stats().hostPid);
    assert.equal(status.pools.default?.threads, 1, 'the warm worker of the default profile');
  });

  it('refuses with a reason when the host does not answer in time, without starting another', async () => {
    const pid = sandbox.stats().hostPid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await assert.rejects(sandbox.ping(200), /did not answer a ping within 200 ms/);
      assert.equal(sandbox.stats().hostPid, pid);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.equal((await sandbox.ping(5_000)).pid, pid, 'answers again once the host runs');
  });

  it('refuses while the host is down, and answers from the new host after the restart', async () => {
    const pid = sandbox.stats().hostPid!;
    const seen = events.length;
    const pending = sandbox.ping(30_000);
    process.kill(pid, 'SIGKILL');
    await assert.rejects(pending, /sandbox host exited \(code null, signal SIGKILL\)/, 'a ping in flight fails at once');
    await nextEvent(events, 'host.exit', seen);
    await assert.rejects(sandbox.ping(5_000), /sandbox host is (not running|starting)/);
    await nextEvent(events, 'host.ready', seen);
    const status = await sandbox.ping(5_000);
    assert.notEqual(status.pid, pid);
    assert.equal(status.pid, sandbox.stats().hostPid);
  });

  it('refuses after close', async () => {
    const closed = createSandbox({ ...DEFAULT_SANDBOX_OPTIONS, minThreads: 0 });
    await closed.start();
    await closed.close();
    await assert.rejects(closed.ping(1_000), /closed/);
  });
});
