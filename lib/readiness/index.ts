// GET /readyz's verdict: named checks run together, each bounded by a timeout, and the report
// kept for a short while so a storm of probes costs one round of checks. Never rejects: a
// check that throws, hangs or returns garbage is a failed check with a reason.

/** A check resolves when it passes and rejects with the reason (its message) when it does not. */
export type ReadinessCheck = () => Promise<unknown>;

export type CheckState = 'ok' | (string & {});

export type ReadinessReport =
  | { status: 'ready'; checks: Record<string, CheckState> }
  | { status: 'not-ready' | 'stopping'; reason: string; checks: Record<string, CheckState> };

export interface ReadinessDeps {
  /** In report order: the first failing one gives the report's reason. */
  checks: Record<string, ReadinessCheck>;
  /** Each check's bound; past it the check fails with "<name> did not answer within N ms". */
  timeoutMs: number;
  /** How long a report is reused... */
  cacheMs: number;
  /**
   * ...while this stays the same (the sandbox host's pid: a host that exits or is replaced is
   * checked again at once, not a second later).
   */
  cacheKey: () => unknown;
  isStopping: () => boolean;
  now?: () => number;
}

export interface Readiness {
  report(): Promise<ReadinessReport>;
}

/** Each check's bound: under the 1 s a Kubernetes probe waits by default. */
export const READINESS_CHECK_TIMEOUT_MS = 750;
/** How long one round of checks answers every probe. */
export const READINESS_CACHE_MS = 1_000;

const MAX_REASON_LENGTH = 500;

export function createReadiness(deps: ReadinessDeps): Readiness {
  const now = deps.now ?? Date.now;
  let cached: { report: ReadinessReport; until: number; key: unknown } | undefined;
  // One round of checks at a time per key: concurrent probes share it.
  let running: { round: Promise<ReadinessReport>; key: unknown } | undefined;

  async function runCheck(name: string, check: ReadinessCheck): Promise<CheckState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} did not answer within ${deps.timeoutMs} ms`)), deps.timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(check), timeout]);
      return 'ok';
    } catch (err) {
      return describeFailure(name, err);
    } finally {
      clearTimeout(timer);
    }
  }

  async function runAll(): Promise<ReadinessReport> {
    const names = Object.keys(deps.checks);
    const states = await Promise.all(names.map((name) => runCheck(name, deps.checks[name]!)));
    const checks = Object.fromEntries(names.map((name, i) => [name, states[i]!]));
    const failed = states.find((s) => s !== 'ok');
    return failed === undefined ? { status: 'ready', checks } : { status: 'not-ready', reason: failed, checks };
  }

  return {
    report() {
      if (deps.isStopping()) return Promise.resolve({ status: 'stopping', reason: 'hookd is stopping', checks: {} });
      const key = deps.cacheKey();
      if (cached && cached.key === key && now() < cached.until) return Promise.resolve(cached.report);
      if (running && running.key === key) return running.round;
      const round = runAll().then((report) => {
        // Stamped with the key seen at the start: a change during the round makes it stale.
        cached = { report, until: now() + deps.cacheMs, key };
        if (running?.round === round) running = undefined;
        return report;
      });
      running = { round, key };
      return round;
    },
  };
}

function describeFailure(name: string, err: unknown): string {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const text = message.trim() === '' ? `${name} failed` : message;
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}
