// What happens after an attempt: success, a retry after a jittered delay from the schedule
// (or the receiver's Retry-After, capped), or failure, and whether the endpoint is gone.
// Pure policy: the delivery's state changes are made by outcome-recorder.ts.

export interface RetryPolicy {
  /** Delays before the 2nd, 3rd, ... attempt. */
  scheduleMs: readonly number[];
  /** 0.2 varies each delay by up to +-20 %. */
  jitter: number;
  maxRetryAfterMs: number;
}

/** What one attempt produced, as far as the policy cares. */
export interface AttemptOutcome {
  statusCode?: number;
  /**
   * Set when no HTTP answer came: the request failed, timed out or was refused, or hookd could
   * not make it (`local`: a stored header HTTP cannot carry, a bug), which is retried too.
   */
  errorKind?: 'network' | 'timeout' | 'refused' | 'local';
  retryAfterMs?: number;
}

export type Decision =
  | { state: 'succeeded' }
  | { state: 'retry'; delayMs: number }
  | { state: 'failed'; reason: string; gone: boolean };

const RETRYABLE_STATUS = new Set([408, 429]);

export function isRetryable(o: AttemptOutcome): boolean {
  if (o.errorKind !== undefined) return o.errorKind !== 'refused';
  const code = o.statusCode ?? 0;
  return code >= 500 || RETRYABLE_STATUS.has(code);
}

/** `attemptsMade` counts the attempt just finished (1 after the first). */
export function decideNext(o: AttemptOutcome, attemptsMade: number, policy: RetryPolicy, random = Math.random): Decision {
  const code = o.statusCode;
  if (o.errorKind === undefined && code !== undefined && code >= 200 && code < 300) return { state: 'succeeded' };
  // 410 Gone: the receiver says the endpoint no longer exists; the specification says stop.
  if (code === 410) return { state: 'failed', reason: 'the endpoint answered 410 Gone', gone: true };
  if (!isRetryable(o)) return { state: 'failed', reason: describeFinal(o), gone: false };
  const base = policy.scheduleMs[attemptsMade - 1];
  if (base === undefined) {
    return { state: 'failed', reason: `retries exhausted after ${attemptsMade} attempts`, gone: false };
  }
  let delayMs = jittered(base, policy.jitter, random);
  if (o.retryAfterMs !== undefined) delayMs = Math.max(delayMs, Math.min(o.retryAfterMs, policy.maxRetryAfterMs));
  return { state: 'retry', delayMs };
}

export function jittered(baseMs: number, jitter: number, random = Math.random): number {
  return Math.max(0, Math.round(baseMs * (1 + jitter * (2 * random() - 1))));
}

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function describeFinal(o: AttemptOutcome): string {
  if (o.errorKind === 'refused') return 'the target address is refused';
  const code = o.statusCode ?? 0;
  if (code >= 300 && code < 400) return `the endpoint answered ${code} (redirects are not followed)`;
  return `the endpoint answered ${code}, which is not retried`;
}
