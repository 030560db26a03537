// What a daemon notes about its command runs in <dataDir>/command-runs/, so that the next start
// can end what a crashed daemon left running: one file per daemon instance (its cgroup, or the
// tag its runs carry) and, without a cgroup, one per run (the program's pid and start time).
// Written without fsync on purpose: they only need to outlive the daemon, not the machine (a
// reboot ends every process and empties every cgroup anyway). A normal stop removes them.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectory } from '../make-directory.ts';

export interface InstanceRecord {
  instance: string;
  /** The daemon's pid and start time: a record whose daemon still runs is not a leftover. */
  pid: number;
  startTime: string;
  /** The cgroup holding every run's cgroup (cgroup mode). */
  cgroup?: string;
  /** The HOOKD_RUN_ID entry prefix every run of this instance carries (process-table mode). */
  tagPrefix?: string;
}

export interface LeaderRecord {
  pid: number;
  startTime: string;
}

export interface InstanceLeftovers {
  instance: string;
  /** Undefined when the file is missing or unreadable (a daemon killed while writing it). */
  record?: InstanceRecord;
  leaders: LeaderRecord[];
  files: string[];
}

const INSTANCE_SUFFIX = '.daemon.json';
const instanceFile = (instance: string) => `${instance}${INSTANCE_SUFFIX}`;
const leaderFile = (instance: string, seq: number) => `${instance}.run-${seq}.json`;

/** The writer one daemon instance uses; `dir` null (the CLI's one-off runs) writes nothing. */
export function createRunRecords(dir: string | null, instance: string) {
  const write = (name: string, value: unknown) => {
    if (dir === null) return;
    makeDirectory(dir, 0o700);
    writeFileSync(join(dir, name), JSON.stringify(value), { mode: 0o600 });
  };
  const remove = (name: string) => {
    if (dir !== null) rmSync(join(dir, name), { force: true });
  };
  return {
    writeInstance: (record: Omit<InstanceRecord, 'instance'>) => write(instanceFile(instance), { instance, ...record }),
    writeLeader: (seq: number, record: LeaderRecord) => write(leaderFile(instance, seq), record),
    removeLeader: (seq: number) => remove(leaderFile(instance, seq)),
    removeInstance: () => remove(instanceFile(instance)),
  };
}

export type RunRecords = ReturnType<typeof createRunRecords>;

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Every instance that left records in `dir`, grouped; [] when there is no such directory. */
export function readLeftovers(dir: string): InstanceLeftovers[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const byInstance = new Map<string, InstanceLeftovers>();
  for (const name of names) {
    const instance = name.slice(0, name.indexOf('.'));
    let entry = byInstance.get(instance);
    if (!entry) byInstance.set(instance, (entry = { instance, leaders: [], files: [] }));
    entry.files.push(join(dir, name));
    if (name.endsWith(INSTANCE_SUFFIX)) entry.record = readJson<InstanceRecord>(join(dir, name));
    else {
      const leader = readJson<LeaderRecord>(join(dir, name));
      if (leader && Number.isInteger(leader.pid) && typeof leader.startTime === 'string') entry.leaders.push(leader);
    }
  }
  return [...byInstance.values()];
}
