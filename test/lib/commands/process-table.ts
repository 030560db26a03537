// Reads the process table (/proc) for tests: the live (non-zombie) processes whose command line
// or environment holds a marker, so a test can show that a command left nothing running.
import { readdirSync, readFileSync } from 'node:fs';
import { signalPids } from '../../../lib/commands/process-group.ts';
import { isRunning, readProcStat } from '../../../lib/commands/proc-table.ts';

export interface LiveProcess {
  pid: number;
  cmdline: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** Whether `pid` exists and is not a zombie (a zombie has exited; only its entry is left). */
export function isAlive(pid: number): boolean {
  return isRunning(readProcStat(pid));
}

export function processesWith(marker: string): LiveProcess[] {
  const found: LiveProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cmdline = read(`/proc/${pid}/cmdline`) ?? '';
    const environ = read(`/proc/${pid}/environ`) ?? '';
    if ((cmdline.includes(marker) || environ.includes(marker)) && isAlive(pid)) {
      found.push({ pid, cmdline: cmdline.split('\0').join(' ').trim() });
    }
  }
  return found;
}

/** Kills what a failed test left behind, so one failure does not leave sleeps running. */
export function killAllWith(marker: string): void {
  signalPids(processesWith(marker).map((p) => p.pid), 'SIGKILL');
}

/** The pid a fixture reported on stderr as "bg <pid>". */
export function backgroundPid(logs: Array<{ message: string }>): number {
  const line = logs.find((l) => /^bg \d+$/.test(l.message));
  if (!line) throw new Error(`no "bg <pid>" line in ${JSON.stringify(logs)}`);
  return Number(line.message.slice(3));
}
