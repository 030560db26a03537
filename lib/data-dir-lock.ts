// One daemon per data directory: `<dataDir>/hookd.lock` holds the owner's pid and its start
// time, so two daemons never share one SQLite file nor reap each other's command runs. Node has
// no flock, so a lock whose owner is gone (kill -9, power loss) is recognised as stale: its pid
// is dead, or alive but started at another time (a reused pid, e.g. pid 1 in a new container).
// Also the daemon's --pid-file, written once the lock is ours (never over another daemon's).
// Side effect: creates and removes the lock file and the pid file.
import { closeSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from './errors.ts';
import { describePathFailure, describingPathFailure } from './path-failure.ts';

export const LOCK_FILE = 'hookd.lock';

interface LockOwner {
  pid: number;
  started: string;
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

// Locks this process holds: a pid check cannot tell two daemons of one process apart (tests).
const heldHere = new Set<string>();

/** The kernel's start time of a process (clock ticks since boot), or undefined where it is gone. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' ? { pid: owner.pid, started: String(owner.started ?? '') } : undefined;
  } catch {
    return undefined; // gone, or half-written by a daemon that died while writing it
  }
}

function isHeld(owner: LockOwner): boolean {
  if (owner.pid === process.pid) return false; // a previous incarnation of this pid
  if (!isAlive(owner.pid)) return false;
  const started = processStartTime(owner.pid);
  return started === undefined || owner.started === '' || started === owner.started;
}

/** Written whole (a temp file renamed) so a supervisor never reads half a pid. */
function writePidFile(file: string): void {
  describingPathFailure({ what: `write the pid file ${file}`, setting: '--pid-file' }, () => {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${process.pid}\n`, { mode: 0o644 });
    renameSync(temp, file);
  });
}

export interface LockOptions {
  /** `hookd serve --pid-file`. */
  pidFile?: string;
  /** The setting that chose the data dir, for an error (config's settingName: `dataDir from HOOKD_DATA_DIR`). */
  setting?: string;
}

/** Takes the data directory's lock, or fails with a message naming the daemon that holds it. */
export function acquireDataDirLock(dataDir: string, options: LockOptions = {}): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  if (heldHere.has(file)) throw errors.dataDirLocked(dataDir, process.pid);
  const me: LockOwner = { pid: process.pid, started: processStartTime(process.pid) ?? '' };
  // Two tries: the second after removing a stale lock. O_EXCL decides a race between starters.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw describePathFailure(error, { what: `create the lock file ${file}`, setting: options.setting ?? 'dataDir' });
      const owner = readOwner(file);
      if (owner && isHeld(owner)) throw errors.dataDirLocked(dataDir, owner.pid);
      try {
        unlinkSync(file);
      } catch {
        // another starter removed it first: the next openSync decides
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    heldHere.add(file);
    // Only our own lock: never a file a later daemon wrote after ours was judged stale.
    const unlock = () => {
      heldHere.delete(file);
      if (readOwner(file)?.pid === me.pid) unlinkSync(file);
    };
    try {
      if (options.pidFile) writePidFile(options.pidFile);
    } catch (error) {
      unlock(); // a start that fails leaves no lock behind
      throw error;
    }
    let released = false;
    return {
      file,
      release() {
        if (released) return;
        released = true;
        if (options.pidFile) rmSync(options.pidFile, { force: true });
        unlock();
      },
    };
  }
  throw errors.dataDirLocked(dataDir, readOwner(file)?.pid);
}
