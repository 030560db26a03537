// The sandbox host, read at scrape time: its restarts (from the sandbox's own tally), its
// resident memory (from /proc, the host's whole process: every worker and ArrayBuffer), and
// the threads of its pools (a ping round trip, bounded; absent when the host does not answer).
import { readFile } from 'node:fs/promises';
import { Gauge, type Registry } from 'prom-client';
import type { HostStatus, SandboxStats } from '../../runtime/index.ts';
import { counterReadAtScrape } from './read-at-scrape.ts';

export interface SandboxMetricsDeps {
  stats: () => SandboxStats;
  ping: (timeoutMs: number) => Promise<HostStatus>;
  /** How long a scrape waits for the host's pong. */
  pingTimeoutMs: number;
}

/** VmRSS of a process in bytes, or undefined when it is gone (or /proc is not there). */
async function readResidentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function defineSandboxMetrics(registry: Registry, deps: SandboxMetricsDeps): void {
  counterReadAtScrape({
    registry,
    name: 'hookd_sandbox_host_restarts_total',
    help: 'Times the sandbox host process was started again after it exited (crashed, killed, out of memory).',
    read: () => Math.max(0, deps.stats().hostStarts - 1),
  });
  new Gauge({
    name: 'hookd_sandbox_host_resident_memory_bytes',
    help: 'Resident memory of the sandbox host process (its worker threads and their ArrayBuffers included), from /proc.',
    registers: [registry],
    async collect() {
      this.reset();
      const pid = deps.stats().hostPid;
      const bytes = pid === undefined ? undefined : await readResidentBytes(pid);
      if (bytes === undefined) this.remove(); // no host now: no sample rather than a false 0
      else this.set(bytes);
    },
  });
  new Gauge({
    name: 'hookd_sandbox_pool_threads',
    help: 'Worker threads of the sandbox host\'s pools, by limit profile (absent while the host does not answer).',
    labelNames: ['profile'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const status = await deps.ping(deps.pingTimeoutMs);
        for (const [profile, pool] of Object.entries(status.pools)) this.set({ profile }, pool.threads);
      } catch {
        // no answer: no samples
      }
    },
  });
}
