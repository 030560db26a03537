// Command runs with real child processes that try to outlive them (setsid, setpgid, a double
// fork, an emptied environment): after the run, after a timeout and at close, nothing is left,
// in both tracking modes (a cgroup per run, and the process table where there is no cgroup).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createCommandRunner } from '../../../lib/commands/index.ts';
import { createEnvGrants } from '../../../lib/env-grants.ts';
import { detectTracking } from '../../../lib/commands/containment.ts';
import type { CommandsConfig } from '../../../lib/config/index.ts';
import type { HookRecord } from '../../../lib/db/hooks-store.ts';
import { signalPids } from '../../../lib/commands/process-group.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';
import { backgroundPid, isAlive } from './process-table.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/commands/', import.meta.url));
const CGROUPS = detectTracking('auto').mode === 'cgroup';
const NO_CGROUP = CGROUPS ? false : 'no writable cgroup v2 here (needs root or a delegated cgroup)';

const CONFIG: CommandsConfig = {
  concurrency: 4, timeoutMs: 10_000, killGraceMs: 300, maxOutputBytes: 4096, maxOutputLines: 1000, cwd: null, maxPayloadVars: 16, maxPayloadValueBytes: 1024,
  user: null, group: null, tracking: 'auto',
};

// Every pid a fixture reported, killed at the end whatever the assertions said.
const reported = new Set<number>();
after(() => signalPids([...reported], 'SIGKILL'));
const state = makeTempDir();
after(() => state.remove());

const runners: Array<ReturnType<typeof createCommandRunner>> = [];
after(() => Promise.all(runners.map((r) => r.close())));
function makeRunner(tracking: CommandsConfig['tracking'], stateDir: string | null = null) {
  const runner = createCommandRunner({ config: { ...CONFIG, tracking }, log: pino({ level: 'silent' }), envGrants: createEnvGrants({ secrets: {}, env: {}, credentials: [] }), stateDir });
  runners.push(runner);
  return runner;
}

let seq = 0;
const hook = (command: string[]): HookRecord => ({
  id: `h${++seq}`, name: `escape-${seq}`, origin: 'api', filePath: null, kind: 'command', mode: 'action', events: ['media.added'],
  priority: 100, source: null, compiled: null, command, env: [], arrScript: null, permissions: {}, timeoutMs: null, limits: null, enabled: true,
  disabledReason: null, consecutiveFailures: 0, version: 1, createdAt: 0, updatedAt: 0,
});
const event = () => ({ id: `e${++seq}`, type: 'media.added', occurredAt: new Date().toISOString(), payload: { title: 'Akira' } });

function escapee(logs: Array<{ message: string }>): number {
  const pid = backgroundPid(logs);
  reported.add(pid);
  return pid;
}

const ESCAPES = [
  { what: 'a setsid grandchild (holding stdout)', fixture: 'escape-setsid.sh', proc: true },
  { what: 'a setpgid grandchild', fixture: 'escape-setpgid.sh', proc: true },
  { what: 'a double-forked setsid grandchild', fixture: 'escape-double-fork.sh', proc: true },
  // The process-table fallback cannot find this one: nothing ties it to the run (see README).
  { what: 'a double-forked setsid grandchild with an emptied environment', fixture: 'escape-env-cleared.sh', proc: false },
];

for (const mode of ['cgroup', 'proc'] as const) {
  describe(`tracking: ${mode}`, { skip: mode === 'cgroup' ? NO_CGROUP : false }, () => {
    const runner = makeRunner(mode);

    for (const escape of ESCAPES.filter((e) => mode === 'cgroup' || e.proc)) {
      test(`${escape.what} is gone after the run`, async () => {
        const outcome = await runner.run(hook([join(FIXTURES, escape.fixture), 'exit']), event(), undefined);
        assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
        const pid = escapee(outcome.logs);
        await waitFor(async () => !isAlive(pid), `pid ${pid} to be gone`);
      });

      test(`${escape.what} is gone after a timeout`, async () => {
        const outcome = await runner.run(hook([join(FIXTURES, escape.fixture), 'hang']), event(), 400);
        assert.equal(outcome.status, 'timeout', JSON.stringify(outcome));
        const pid = escapee(outcome.logs);
        await waitFor(async () => !isAlive(pid), `pid ${pid} to be gone`);
      });
    }
  });
}

describe('what a run leaves on disk', () => {
  test('cgroup: each run has its own cgroup under the daemon\'s, and close() removes them and the records', { skip: NO_CGROUP }, async () => {
    const dir = join(state.dir, 'cgroup-runs');
    const runner = makeRunner('cgroup', dir);
    const outcome = await runner.run(hook(['/bin/cat', '/proc/self/cgroup']), event(), undefined);
    assert.equal(outcome.status, 'ok');
    const record = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')) as { cgroup: string; pid: number };
    assert.equal(record.pid, process.pid);
    const line = outcome.logs.find((l) => l.message.startsWith('0::'))!.message;
    assert.match(line, /^0::.*\/hookd-[0-9a-f]+\/run-1$/, 'the program ran in its run\'s cgroup');
    assert.ok(record.cgroup.endsWith(line.slice(3).replace(/\/run-1$/, '')));
    assert.deepEqual(readdirSync(record.cgroup).filter((n) => n.startsWith('run-')), [], 'the run\'s cgroup is removed with the run');
    await runner.close();
    assert.equal(existsSync(record.cgroup), false, 'close() removes the daemon\'s cgroup');
    assert.deepEqual(readdirSync(dir), [], 'and its records');
  });

  test('proc: each run carries its tag, and its record is removed with it', async () => {
    const dir = join(state.dir, 'proc-runs');
    const runner = makeRunner('proc', dir);
    const outcome = await runner.run(hook(['/usr/bin/env']), event(), undefined);
    assert.equal(outcome.status, 'ok');
    const tag = outcome.logs.find((l) => l.message.startsWith('HOOKD_RUN_ID='))?.message;
    assert.match(tag ?? '', /^HOOKD_RUN_ID=[0-9a-f]{12}\.1$/);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.run-')), [], 'the run\'s record is gone');
    await runner.close();
    assert.deepEqual(readdirSync(dir), []);
  });

  test('close() while a program with an escaped grandchild runs ends both', async () => {
    const runner = makeRunner('auto');
    const pidFile = join(state.dir, 'close.pid');
    const running = runner.run(hook([join(FIXTURES, 'escape-double-fork.sh'), 'hang', pidFile]), event(), 60_000);
    const pid = await waitFor(async () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) || undefined : undefined), 'the grandchild to start');
    reported.add(pid);
    await runner.close();
    const outcome = await running;
    assert.equal(outcome.status, 'error');
    assert.match(outcome.error!.message, /shutting down/);
    await waitFor(async () => !isAlive(pid), `pid ${pid} to be gone`);
  });
});
