// A process and all its descendants, read from /proc: what a supervisor would have to clean up.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid, command };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The process itself and every live descendant, parents before children. */
export function processTree(root: number): ProcessInfo[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => readProcess(Number(name))).filter((p) => p !== undefined);
  const tree: ProcessInfo[] = [];
  const top = all.find((p) => p.pid === root);
  if (!top) return tree;
  tree.push(top);
  for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i]!.pid));
  return tree;
}

/** Those of the given pids still alive (zombies count as gone: they hold nothing). */
export function stillRunning(pids: number[]): ProcessInfo[] {
  return pids.map((pid) => {
    try {
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) === 'Z' ? undefined : readProcess(pid);
    } catch {
      return undefined;
    }
  }).filter((p) => p !== undefined);
}

/** Live processes (zombies aside) whose environment holds `entry` (NAME=value): found by what they inherited, wherever they were reparented. */
export function processesWithEnv(entry: string): ProcessInfo[] {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
  return stillRunning(pids);
}
