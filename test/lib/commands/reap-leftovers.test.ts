// The start-time reaper with real processes: what a crashed daemon's records point at (a cgroup
// with a setsid process in it; tagged processes and a run leader's group) is killed and its
// records removed, and the records of a daemon that still runs are left alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { findOwnCgroupDir, joinCgroupArgv, removeCgroupTree } from '../../../lib/commands/cgroup.ts';
import { detectTracking } from '../../../lib/commands/containment.ts';
import { signalPids } from '../../../lib/commands/process-group.ts';
import { readProcStat } from '../../../lib/commands/proc-table.ts';
import { reapLeftovers } from '../../../lib/commands/reap-leftovers.ts';
import { createLogSink } from '../../helpers/log-sink.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';
import { isAlive } from './process-table.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/commands/', import.meta.url));
const NO_CGROUP = detectTracking('auto').mode === 'cgroup' ? false : 'no writable cgroup v2 here';
const started = new Set<number>();
after(() => signalPids([...started], 'SIGKILL'));

function setUp() {
  const temp = makeTempDir();
  const stateDir = join(temp.dir, 'command-runs');
  mkdirSync(stateDir);
  const logs = createLogSink();
  const log = pino({ level: 'debug' }, logs.stream);
  const write = (name: string, value: unknown) => writeFileSync(join(stateDir, name), JSON.stringify(value));
  return { temp, stateDir, logs, log, write };
}

/** Runs a fixture that leaves an escaped grandchild and exits; resolves with the grandchild's pid. */
async function leaveEscapee(argv: string[], env: Record<string, string>, pidFile: string): Promise<number> {
  const child = spawn(argv[0]!, argv.slice(1), { env, detached: true, stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  const pid = Number(readFileSync(pidFile, 'utf8'));
  started.add(pid);
  assert.ok(isAlive(pid), 'the grandchild outlived its parent');
  return pid;
}

// A daemon that is gone: our own pid, but a start time no process of that pid has (a reused pid).
const DEAD_DAEMON = { pid: process.pid, startTime: '0' };

describe('reapLeftovers', () => {
  test('a crashed daemon\'s cgroup: its setsid process is killed, the cgroups and records removed', { skip: NO_CGROUP }, async () => {
    const { temp, stateDir, logs, log, write } = setUp();
    const own = findOwnCgroupDir() as { dir: string };
    const parent = join(own.dir, 'hookd-0000deadbeef');
    try {
      mkdirSync(join(parent, 'run-1'), { recursive: true });
      write('0000deadbeef.daemon.json', { instance: '0000deadbeef', ...DEAD_DAEMON, cgroup: parent });
      const pidFile = join(temp.dir, 'pid');
      const pid = await leaveEscapee(joinCgroupArgv(join(parent, 'run-1'), {}, [join(FIXTURES, 'escape-setsid.sh'), 'exit', pidFile]), {}, pidFile);

      await reapLeftovers({ stateDir, log });
      await waitFor(async () => !isAlive(pid), `pid ${pid} to be gone`);
      assert.equal(existsSync(parent), false, 'the cgroups are removed');
      assert.deepEqual(readdirSync(stateDir), [], 'the records are removed');
      const line = logs.lines().find((l) => l.msg === 'ended the command processes a stopped hookd left running');
      assert.equal(line?.killed, 1);
    } finally {
      await removeCgroupTree(parent, 2000);
      temp.remove();
    }
  });

  test('a crashed daemon without cgroups: tagged processes and a live leader\'s group are killed', async () => {
    const { temp, stateDir, log, write } = setUp();
    try {
      const instance = '0000cafe0001';
      write(`${instance}.daemon.json`, { instance, ...DEAD_DAEMON, tagPrefix: `HOOKD_RUN_ID=${instance}.` });
      // Run 1 left a double-forked process that kept the tag.
      const tagged = await leaveEscapee([join(FIXTURES, 'escape-double-fork.sh'), 'exit', join(temp.dir, 'tagged')], { HOOKD_RUN_ID: `${instance}.1` }, join(temp.dir, 'tagged'));
      // Run 2's program still runs, with a child that emptied its environment but stayed in its group.
      const leader = spawn('/bin/sh', ['-c', '/usr/bin/env -i /bin/sleep 1000 & echo $! > "$1"; exec /bin/sleep 1000', 'leader', join(temp.dir, 'member')], {
        env: { HOOKD_RUN_ID: `${instance}.2` }, detached: true, stdio: 'ignore',
      });
      started.add(leader.pid!);
      const member = await waitFor(async () => (existsSync(join(temp.dir, 'member')) ? Number(readFileSync(join(temp.dir, 'member'), 'utf8')) || undefined : undefined), 'the member to start');
      started.add(member);
      write(`${instance}.run-2.json`, { pid: leader.pid, startTime: readProcStat(leader.pid!)!.startTime });

      await reapLeftovers({ stateDir, log });
      for (const pid of [tagged, leader.pid!, member]) await waitFor(async () => !isAlive(pid), `pid ${pid} to be gone`);
      assert.deepEqual(readdirSync(stateDir), []);
    } finally {
      temp.remove();
    }
  });

  test('the records of a daemon that still runs are left alone', async () => {
    const { temp, stateDir, logs, log, write } = setUp();
    try {
      const instance = '0000a11ve001';
      const child = spawn('/bin/sleep', ['1000'], { env: { HOOKD_RUN_ID: `${instance}.1` }, stdio: 'ignore' });
      started.add(child.pid!);
      await waitFor(async () => readProcStat(child.pid!) !== undefined, 'the child to start');
      write(`${instance}.daemon.json`, { instance, pid: process.pid, startTime: readProcStat(process.pid)!.startTime, tagPrefix: `HOOKD_RUN_ID=${instance}.` });

      await reapLeftovers({ stateDir, log });
      assert.ok(isAlive(child.pid!), 'a live daemon\'s run is not touched');
      assert.deepEqual(readdirSync(stateDir), [`${instance}.daemon.json`]);
      assert.ok(logs.lines().some((l) => l.msg === 'another hookd process uses this data directory: its command runs are left alone'));
    } finally {
      temp.remove();
    }
  });
});
