// At start: ends the command processes a crashed (kill -9) daemon left running, from the records
// it kept in <dataDir>/command-runs/, and removes its cgroups and records. A record whose daemon
// still runs (pid and start time) belongs to a live daemon and is left alone.
import type { Logger } from '../log.ts';
import { cgroupTreePids, removeCgroupTree } from './cgroup.ts';
import { killRunProcesses, RUN_TAG_VAR } from './proc-sweep.ts';
import { isSameProcessRunning } from './proc-table.ts';
import { readLeftovers, type InstanceLeftovers } from './run-records.ts';
import { rmSync } from 'node:fs';

// Longer than a run's own bound: this runs once, at start, before anything depends on it.
const REAP_TIMEOUT_MS = 5_000;

export async function reapLeftovers(deps: { stateDir: string; log: Logger }): Promise<void> {
  for (const left of readLeftovers(deps.stateDir)) {
    const { record } = left;
    if (record && isSameProcessRunning(record.pid, record.startTime)) {
      deps.log.warn({ daemonPid: record.pid, dir: deps.stateDir }, 'another hookd process uses this data directory: its command runs are left alone');
      continue;
    }
    const { killed, ended } = await reap(left);
    if (ended) for (const file of left.files) rmSync(file, { force: true });
    const fields = { daemonPid: record?.pid, killed, cgroup: record?.cgroup };
    if (!ended) deps.log.warn(fields, 'some command processes a stopped hookd left running did not end: they are tried again at the next start');
    else if (killed > 0) deps.log.info(fields, 'ended the command processes a stopped hookd left running');
  }
}

async function reap(left: InstanceLeftovers): Promise<{ killed: number; ended: boolean }> {
  const { record } = left;
  if (record?.cgroup) {
    const killed = cgroupTreePids(record.cgroup).length;
    return { killed, ended: await removeCgroupTree(record.cgroup, REAP_TIMEOUT_MS) };
  }
  // A group or session id is only the run's while its leader runs: once it has exited, the id
  // may be reused, so only the tag (random per daemon) finds its other processes.
  const leaders = left.leaders.filter((l) => isSameProcessRunning(l.pid, l.startTime));
  const starts = [record?.startTime, ...left.leaders.map((l) => l.startTime)].filter((s): s is string => s !== undefined).map(BigInt);
  const since = starts.length > 0 ? starts.reduce((a, b) => (a < b ? a : b)).toString() : '0';
  return killRunProcesses({ tagEntry: record?.tagPrefix ?? `${RUN_TAG_VAR}=${left.instance}.`, since, leaders: leaders.map((l) => l.pid) }, REAP_TIMEOUT_MS);
}
