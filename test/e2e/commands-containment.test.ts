// Command processes and a daemon killed with kill -9 (`hookd serve` as a child process): the
// watchdog ends a running command's setsid grandchild at once; with the watchdog killed too, the
// next start ends it; a normal stop leaves nothing. In both tracking modes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectTracking } from '../../lib/commands/containment.ts';
import { signalPids } from '../../lib/commands/process-group.ts';
import { listProcesses } from '../../lib/commands/proc-table.ts';
import { ADMIN_TOKEN, spawnDaemon, writeTestConfig, type ChildDaemon } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { isAlive, processesWith } from '../lib/commands/process-table.ts';

const ESCAPE = fileURLToPath(new URL('../fixtures/commands/escape-setsid.sh', import.meta.url));
const NO_CGROUP = detectTracking('auto').mode === 'cgroup' ? false : 'no writable cgroup v2 here';
const leftovers = new Set<number>();
after(() => signalPids([...leftovers], 'SIGKILL'));

interface Running {
  daemon: ChildDaemon;
  /** The setsid grandchild the command started. */
  pid: number;
  /** The event id: every process of the run has it in its environment (HOOKD_EVENT_ID). */
  marker: string;
}

/** Starts the daemon and a command filter that leaves a setsid grandchild and then hangs. */
async function startHangingRun(configFile: string, dir: string): Promise<Running> {
  const daemon = await spawnDaemon(configFile);
  const call = (method: string, path: string, body?: unknown) => request(daemon.url, method, path, body, { token: ADMIN_TOKEN });
  const pidFile = join(dir, `grandchild-${randomUUID()}.pid`);
  const hook = await call('POST', '/hooks', { name: `escape-${randomUUID().slice(0, 8)}`, kind: 'command', mode: 'filter', events: ['media.added'], command: [ESCAPE, 'hang', pidFile], timeoutMs: 60_000 });
  assert.equal(hook.status, 201, hook.text);
  // A filter run inside the request: the event is never stored, so no restart runs it again.
  const marker = `containment-${randomUUID()}`;
  void call('POST', '/events?wait=true', { id: marker, type: 'media.added', payload: { title: 'Akira' } }).catch(() => {});
  const pid = await waitFor(async () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) || undefined : undefined), 'the grandchild to start');
  leftovers.add(pid);
  return { daemon, pid, marker };
}

async function killHard(daemon: ChildDaemon): Promise<void> {
  daemon.child.kill('SIGKILL');
  await daemon.exited;
}

function watchdogOf(daemonPid: number): number {
  const found = listProcesses().filter((p) => p.ppid === daemonPid && readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').includes('hookd-watchdog'));
  assert.equal(found.length, 1, 'the daemon has one watchdog');
  return found[0]!.pid;
}

async function stopGracefully(daemon: ChildDaemon): Promise<void> {
  daemon.child.kill('SIGTERM');
  assert.equal((await daemon.exited).code, 0, daemon.output());
}

const records = (dataDir: string) => (existsSync(join(dataDir, 'command-runs')) ? readdirSync(join(dataDir, 'command-runs')) : []);

for (const tracking of ['cgroup', 'proc'] as const) {
  describe(`tracking: ${tracking}`, { skip: tracking === 'cgroup' ? NO_CGROUP : false }, () => {
    test('kill -9 of the daemon: the watchdog ends the run\'s setsid grandchild at once; a restart and a normal stop leave nothing', async () => {
      const temp = makeTempDir();
      try {
        const configFile = writeTestConfig(temp.dir, { commands: { tracking } });
        const dataDir = join(temp.dir, 'data');
        const run = await startHangingRun(configFile, temp.dir);
        const [record] = records(dataDir).filter((n) => n.endsWith('.daemon.json'));
        const { cgroup } = JSON.parse(readFileSync(join(dataDir, 'command-runs', record!), 'utf8')) as { cgroup?: string };
        assert.equal(cgroup !== undefined, tracking === 'cgroup', 'the record names the daemon\'s cgroup in cgroup mode');

        await killHard(run.daemon);
        await waitFor(async () => !isAlive(run.pid) && processesWith(run.marker).length === 0, 'the run\'s processes to be gone');
        if (cgroup) await waitFor(async () => !existsSync(cgroup), 'the watchdog to remove the cgroups');

        const second = await spawnDaemon(configFile);
        assert.ok(!records(dataDir).includes(record!), 'the next start removed the crashed daemon\'s records');
        await stopGracefully(second);
        assert.deepEqual(records(dataDir), [], 'a normal stop leaves no record');
      } finally {
        temp.remove();
      }
    });

    test('kill -9 of the daemon and its watchdog: the next start ends what the run left running', async () => {
      const temp = makeTempDir();
      try {
        const configFile = writeTestConfig(temp.dir, { commands: { tracking } });
        const run = await startHangingRun(configFile, temp.dir);
        const watchdog = watchdogOf(run.daemon.child.pid!);
        process.kill(watchdog, 'SIGKILL');
        await waitFor(async () => !isAlive(watchdog), 'the watchdog to be gone');
        await killHard(run.daemon);
        assert.ok(isAlive(run.pid), 'with nobody left to end it, the grandchild still runs');

        const second = await spawnDaemon(configFile);
        try {
          await waitFor(async () => !isAlive(run.pid) && processesWith(run.marker).length === 0, 'the leftovers to be gone');
          assert.match(second.output(), /"killed":2,.*"msg":"ended the command processes a stopped hookd left running"/, 'the program and its grandchild');
        } finally {
          await stopGracefully(second);
        }
      } finally {
        temp.remove();
      }
    });
  });
}
