// Shared benchmark plumbing: run autocannon against a URL and print side-by-side tables.
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The server process's CPU time (all threads) per request, when its pid was given (Linux). */
  cpuUsPerReq?: number;
}

/**
 * CPU time used so far by a process, all threads, in microseconds (Linux /proc; undefined
 * elsewhere). Unlike req/s it barely moves when other work shares the cores.
 */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime + stime, at USER_HZ = 100
  } catch {
    return undefined;
  }
}

/**
 * CPU time of a process and every live descendant (the daemon and its sandbox host), in
 * microseconds; a child that exits in between takes its share with it.
 */
export function processTreeCpuMicros(pid: number): number | undefined {
  const own = processCpuMicros(pid);
  if (own === undefined) return undefined;
  let total = own;
  for (const child of childrenOf(pid)) total += processTreeCpuMicros(child) ?? 0;
  return total;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** `cpu`: whose CPU time to count per request (default: the serverPid process alone). */
export async function runLoad(name: string, options: autocannon.Options, serverPid?: number, cpu: (pid: number) => number | undefined = processCpuMicros): Promise<LoadResult> {
  const cpuBefore = serverPid === undefined ? undefined : cpu(serverPid);
  const result = await autocannon({ connections: 32, duration: 8, ...options });
  const cpuAfter = serverPid === undefined ? undefined : cpu(serverPid);
  const used = cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0
    ? { cpuUsPerReq: Math.round((cpuAfter - cpuBefore) / result.requests.total) }
    : {};
  return {
    name,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ...used,
  };
}

export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  console.log(`\n${title}`);
  console.table(rows);
}

export function ratio(a: number, b: number): string {
  return b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`;
}

/** The sandbox's options from the default config, as the daemon starts it (the runtime has no defaults). */
export async function defaultSandboxOptions() {
  const [{ loadConfig }, { sandboxOptionsFrom }] = await Promise.all([import('../lib/config/index.ts'), import('../lib/sandbox.ts')]);
  return sandboxOptionsFrom(loadConfig({ env: {} }).runtime);
}
