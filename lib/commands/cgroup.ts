// cgroup v2 primitives for command runs (Linux): where the daemon's own cgroup is, the wrapper
// that puts a program into a cgroup before it runs anything, and killing and removing a cgroup
// with everything in it (setsid or not: a process cannot leave a cgroup by changing session).
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from './poll-until.ts';
import { signalPids } from './process-group.ts';

/**
 * The program's first act is joining its cgroup: the shell writes its own pid ($$) and then execs
 * the program (same pid), so nothing it forks can be outside. Values arrive as arguments, never
 * in the script text. The shell exports PWD on its own: $2 puts back the environment's PWD
 * (`=value`) or its absence (`-`), so the program gets exactly the environment it was given.
 */
const JOIN_SCRIPT = 'echo $$ > "$1"/cgroup.procs || exit 96; case $2 in =*) export PWD="${2#=}" ;; *) unset PWD ;; esac; shift 2; exec "$@"';
/** Exit code of the wrapper when it could not join the cgroup. */
export const JOIN_FAILED_EXIT = 96;

export function joinCgroupArgv(dir: string, env: Readonly<Record<string, string>>, argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', JOIN_SCRIPT, 'hookd-command', dir, env.PWD === undefined ? '-' : `=${env.PWD}`, ...argv];
}

/** Undoes mountinfo's octal escapes (`\040` for a space). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** The cgroup2 mount from /proc/self/mountinfo: where it is and which part of the hierarchy it shows. */
export function parseCgroup2Mount(mountinfo: string): { mountPoint: string; root: string } | undefined {
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 0 || fields[separator + 1] !== 'cgroup2') continue;
    return { root: unescapeMountField(fields[3]!), mountPoint: unescapeMountField(fields[4]!) };
  }
  return undefined;
}

/** The process's cgroup v2 path from /proc/self/cgroup: its `0::` line. */
export function parseOwnCgroupPath(procCgroup: string): string | undefined {
  const line = procCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line === undefined ? undefined : line.slice(3);
}

/** The directory of the daemon's own cgroup, or why there is none (no cgroup v2, or not visible from here). */
export function findOwnCgroupDir(
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { dir: string } | { problem: string } {
  let mount: ReturnType<typeof parseCgroup2Mount>;
  let path: string | undefined;
  try {
    mount = parseCgroup2Mount(read('/proc/self/mountinfo'));
    path = parseOwnCgroupPath(read('/proc/self/cgroup'));
  } catch (err) {
    return { problem: `cannot read /proc: ${(err as Error).message}` };
  }
  if (!mount) return { problem: 'no cgroup2 file system is mounted' };
  if (path === undefined || !path.startsWith('/')) return { problem: 'this process has no cgroup v2 path (no "0::" line in /proc/self/cgroup)' };
  // A mount that shows only a subtree (a container's bind mount) reaches only the cgroups under its root.
  const root = mount.root === '/' ? '' : mount.root;
  if (root !== '' && path !== root && !path.startsWith(`${root}/`)) return { problem: `the cgroup ${path} is outside the cgroup2 mount at ${mount.mountPoint}` };
  return { dir: join(mount.mountPoint, path.slice(root.length)) };
}

/** The pids in the cgroup itself (not its children); [] once it is gone. */
function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Whether any process is left in the cgroup or below it. */
export function isPopulated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

/** The pids in the cgroup and every cgroup below it. */
export function cgroupTreePids(dir: string): number[] {
  return [...cgroupPids(dir), ...childCgroups(dir).flatMap(cgroupTreePids)];
}

/** Sends `signal` to every process in the cgroup's tree. Never throws (timers and exit handlers call it). */
export function signalCgroup(dir: string, signal: NodeJS.Signals): void {
  signalPids(cgroupTreePids(dir), signal);
}

/**
 * SIGKILL to every process in the cgroup's tree at once (cgroup.kill, Linux 5.14+: the kernel
 * also catches processes forked meanwhile); older kernels get a signal per listed pid. Never throws.
 */
export function killCgroup(dir: string): void {
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && isPopulated(dir)) signalCgroup(dir, 'SIGKILL');
  }
}

function childCgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/**
 * Kills everything in the cgroup's tree, waits (up to `timeoutMs`) until it is empty, and removes
 * it, children first. True once it is gone; false when a process would not die in time (one in
 * uninterruptible sleep): the caller leaves it for a later try.
 */
export function removeCgroupTree(dir: string, timeoutMs: number): Promise<boolean> {
  return pollUntil(() => {
    killCgroup(dir);
    return !isPopulated(dir) && removeEmptyTree(dir);
  }, timeoutMs);
}

function removeEmptyTree(dir: string): boolean {
  for (const child of childCgroups(dir)) removeEmptyTree(child);
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
