// Containment of command runs: every process a run starts ends with the run, whatever it did
// (setsid, setpgid, a double fork). A cgroup v2 per run when the daemon may create one, else the
// process table and a per-run tag (proc-sweep.ts). Per daemon, set up at the first run: the
// records the next start reaps from (run-records.ts) and a watchdog for a kill -9 (watchdog.ts).
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../errors.ts';
import type { Logger } from '../log.ts';
import { cgroupTreePids, findOwnCgroupDir, joinCgroupArgv, killCgroup, removeCgroupTree, signalCgroup } from './cgroup.ts';
import { signalGroup, signalPids } from './process-group.ts';
import { pollUntil } from './poll-until.ts';
import { findRunProcesses, killRunProcesses, RUN_TAG_VAR, type RunSelector } from './proc-sweep.ts';
import { isSameProcessRunning, readProcStat } from './proc-table.ts';
import { createRunRecords } from './run-records.ts';
import { startWatchdog, type Watchdog } from './watchdog.ts';

/** config commands.tracking: `auto` uses a cgroup when it can. */
export type TrackingChoice = 'auto' | 'cgroup' | 'proc';

export type Tracking = { mode: 'cgroup'; dir: string } | { mode: 'proc'; reason: string };

// How long ending a run (or the daemon's cgroup at a stop) may wait for SIGKILLed processes to go:
// only a process in uninterruptible sleep (a hung NFS read) takes longer.
const END_TIMEOUT_MS = 2_000;

/**
 * How runs are tracked, decided once at start: a cgroup when this process's cgroup v2 directory
 * is writable (root, or a delegated subtree). A config error when `cgroup` is required and cannot
 * be. No side effect.
 */
export function detectTracking(choice: TrackingChoice, find = findOwnCgroupDir): Tracking {
  if (choice === 'proc') return { mode: 'proc', reason: 'config commands.tracking is "proc"' };
  const own = find();
  let problem = 'problem' in own ? own.problem : undefined;
  if ('dir' in own) {
    try {
      accessSync(own.dir, constants.W_OK);
      accessSync(join(own.dir, 'cgroup.procs'), constants.W_OK);
    } catch (err) {
      problem = `this process may not create cgroups in ${own.dir} (${(err as NodeJS.ErrnoException).code}): run as root or delegate the cgroup (systemd Delegate=yes)`;
    }
  }
  if (problem === undefined && 'dir' in own) return { mode: 'cgroup', dir: own.dir };
  if (choice === 'cgroup') throw errors.config(`commands.tracking is "cgroup" but ${problem}; or set commands.tracking: auto`);
  return { mode: 'proc', reason: problem! };
}

/** One run's containment. Every method but `end` is synchronous and none throws. */
export interface ContainedRun {
  /** What to spawn: the program itself, or a wrapper that execs it inside the run's cgroup. */
  argv: string[];
  /** The run's whole environment: the one given, plus the process-table mode's tag. */
  env: Record<string, string>;
  /** The program started. Call it right after spawning, before the event loop can reap the pid. */
  started(pid: number): void;
  /** `signal` to every process of the run (a timeout's SIGTERM, then SIGKILL after the grace). */
  signal(signal: NodeJS.Signals): void;
  /**
   * SIGKILL now to what is cheap to reach: the whole cgroup, or (process table) the program's
   * group; `end` finds the rest. Called when the program exits.
   */
  kill(): void;
  /** Kills everything left of the run, waits until none of it runs, and forgets the run. */
  end(): Promise<void>;
}

export interface ContainmentDeps {
  tracking: Tracking;
  /** Where the records for the next start go (<dataDir>/command-runs); null: none (one-off CLI runs). */
  stateDir: string | null;
  log: Logger;
}

export function createContainment(deps: ContainmentDeps) {
  const { tracking, log } = deps;
  const instance = randomBytes(6).toString('hex');
  const records = createRunRecords(deps.stateDir, instance);
  const parent = tracking.mode === 'cgroup' ? join(tracking.dir, `hookd-${instance}`) : '';
  const tagPrefix = `${RUN_TAG_VAR}=${instance}.`;
  let watchdog: Watchdog | undefined;
  let seq = 0;

  // The record is written before the cgroup exists, so a crash in between leaves nothing unrecorded.
  function setUp(): void {
    if (watchdog) return;
    const startTime = readProcStat(process.pid)?.startTime ?? '0';
    if (tracking.mode === 'cgroup') {
      records.writeInstance({ pid: process.pid, startTime, cgroup: parent });
      mkdirSync(parent, { recursive: true });
    } else {
      records.writeInstance({ pid: process.pid, startTime, tagPrefix });
    }
    watchdog = startWatchdog(tracking.mode === 'cgroup' ? { cgroup: parent } : { tagEntry: tagPrefix });
    log.debug({ tracking: tracking.mode, cgroup: parent || undefined, watchdog: watchdog.pid }, 'command runs are contained');
  }

  function inCgroup(argv: readonly string[], env: Record<string, string>, id: number): ContainedRun {
    const dir = join(parent, `run-${id}`);
    mkdirSync(dir);
    // A process leaves its cgroup a moment before it has finished exiting: the run ends only
    // once every process seen in it has (pid and start time, so a reused pid does not count).
    const seen = new Map<number, string>();
    const kill = () => {
      for (const pid of cgroupTreePids(dir)) {
        const startTime = seen.has(pid) ? undefined : readProcStat(pid)?.startTime;
        if (startTime !== undefined) seen.set(pid, startTime);
      }
      killCgroup(dir);
    };
    return {
      argv: joinCgroupArgv(dir, env, argv),
      env,
      started: () => {},
      // cgroup.kill also reaches what forks while the signals go out.
      signal: (signal) => (signal === 'SIGKILL' ? kill() : signalCgroup(dir, signal)),
      kill,
      async end() {
        kill();
        const removed = await removeCgroupTree(dir, END_TIMEOUT_MS);
        const exited = await pollUntil(() => [...seen].every(([pid, startTime]) => !isSameProcessRunning(pid, startTime)), END_TIMEOUT_MS);
        if (!removed || !exited) {
          log.warn({ cgroup: dir }, 'a command run\'s processes did not end in time: its cgroup is left for the stop (or the next start) to remove');
        }
      },
    };
  }

  function inProcessTable(argv: readonly string[], env: Record<string, string>, id: number): ContainedRun {
    const tag = `${instance}.${id}`;
    let selector: RunSelector | undefined;
    const signal = (sig: NodeJS.Signals) => {
      if (!selector) return;
      signalGroup(selector.leaders[0]!, sig);
      try {
        signalPids(findRunProcesses(selector), sig);
      } catch {
        // no /proc: the group signal above is all this mode can do
      }
    };
    return {
      argv: [...argv],
      env: { ...env, [RUN_TAG_VAR]: tag },
      started(pid) {
        const startTime = readProcStat(pid)?.startTime ?? '0';
        selector = { tagEntry: `${RUN_TAG_VAR}=${tag}\0`, since: startTime, leaders: [pid] };
        records.writeLeader(id, { pid, startTime });
      },
      signal,
      // A sweep reads every process's stat: end() does it once, right after the program's exit.
      kill: () => {
        if (selector) signalGroup(selector.leaders[0]!, 'SIGKILL');
      },
      async end() {
        if (!selector) return;
        const { ended } = await killRunProcesses(selector, END_TIMEOUT_MS);
        if (ended) records.removeLeader(id);
        else log.warn({ tag }, 'a command run\'s processes did not end in time: the next start ends them');
      },
    };
  }

  return {
    mode: tracking.mode,
    /** Prepares one run of `argv` (the program, or setpriv and the program). Throws when its cgroup cannot be made. */
    begin(argv: readonly string[], env: Record<string, string>): ContainedRun {
      setUp();
      seq += 1;
      return tracking.mode === 'cgroup' ? inCgroup(argv, env, seq) : inProcessTable(argv, env, seq);
    },
    /** After every run has ended: removes the daemon's cgroup and records, and stops the watchdog. */
    async close(): Promise<void> {
      if (!watchdog) return;
      const clean = tracking.mode === 'cgroup' ? await removeCgroupTree(parent, END_TIMEOUT_MS) : true;
      if (clean) records.removeInstance();
      else log.warn({ cgroup: parent }, 'command processes did not end in time: the next start ends them');
      await watchdog.stop(END_TIMEOUT_MS);
      watchdog = undefined;
    },
  };
}

export type Containment = ReturnType<typeof createContainment>;

