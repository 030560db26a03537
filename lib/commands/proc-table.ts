// Reads the Linux process table (/proc): each process's parent, group, session and start time,
// and whether its environment (as it was at exec) holds an entry. Read-only; what a command run
// started is found from here when no cgroup holds it (see proc-containment.ts).
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** R, S, D, Z (zombie: exited, only its entry left), ... */
  state: string;
  /** Clock ticks after boot, as text: with the pid it names one process, whatever pid reuse does. */
  startTime: string;
}

/** Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses, so fields count from its last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  if (close < 0 || !Number.isInteger(pid)) return undefined;
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const rest = text.slice(close + 2).split(' ');
  if (rest.length < 20) return undefined;
  return { pid, state: rest[0]!, ppid: Number(rest[1]), pgid: Number(rest[2]), sid: Number(rest[3]), startTime: rest[19]! };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

// A stat line is well under 1 KiB (the command name is at most 64 bytes). One buffer and a plain
// open/read/close: half the cost of readFileSync, which matters when a sweep reads every process.
const STAT_BUFFER = Buffer.alloc(1024);

export function readProcStat(pid: number): ProcStat | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined; // gone meanwhile
  }
  try {
    return parseProcStat(STAT_BUFFER.toString('latin1', 0, readSync(fd, STAT_BUFFER, 0, STAT_BUFFER.length, 0)));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Not exited: a zombie has ended and only waits for its parent to collect it. */
export function isRunning(stat: ProcStat | undefined): stat is ProcStat {
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Whether the process that had `pid` when it started at `startTime` still runs (false once its pid is reused). */
export function isSameProcessRunning(pid: number, startTime: string): boolean {
  const stat = readProcStat(pid);
  return isRunning(stat) && stat.startTime === startTime;
}

/** Every running process, zombies left out. */
export function listProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const stat = readProcStat(Number(entry));
    if (isRunning(stat)) out.push(stat);
  }
  return out;
}

/**
 * Whether the process's environment has an entry starting with `prefix` (`NAME=value`, or
 * `NAME=val` to match a value's start). An environment unreadable to us counts as not holding it.
 */
export function environHas(pid: number, prefix: string): boolean {
  const environ = readText(`/proc/${pid}/environ`);
  if (environ === undefined) return false;
  for (let at = environ.indexOf(prefix); at >= 0; at = environ.indexOf(prefix, at + 1)) {
    if (at === 0 || environ.charCodeAt(at - 1) === 0) return true;
  }
  return false;
}

/** Clock ticks are compared as numbers; the text keeps them exact beyond 2^53. */
export function startedNotBefore(stat: ProcStat, startTime: string): boolean {
  return BigInt(stat.startTime) >= BigInt(startTime);
}
