// Polling for process and cgroup state, which the kernel offers no cheap event for: a step that
// acts and reports whether it is done, retried at 1 ms, doubling to 50 ms, up to a deadline.
import { setTimeout as sleep } from 'node:timers/promises';

/** Runs `step` until it returns true or `timeoutMs` passes; whether it returned true. */
export async function pollUntil(step: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (let wait = 1; !step(); wait = Math.min(wait * 2, 50)) {
    if (Date.now() >= until) return false;
    await sleep(wait);
  }
  return true;
}
