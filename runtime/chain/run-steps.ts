// The filter chain's step loop, wherever it runs (the sandbox host for module hooks, the daemon
// for command hooks): each hook gets the previous accepted payload, its output is judged
// (filter-judge.ts) and settled (step-outcome.ts), a failing step is listed and the chain goes
// on, and one deadline bounds the whole chain: a step it has passed is skipped, not run.
import type { ChainStepResult, HookOutcome } from '../protocol.ts';
import { filterOutputCheck, type PayloadType } from './filter-judge.ts';
import type { JsonLimits } from './json-data.ts';
import { settleOutcome } from './step-outcome.ts';

export interface ChainStepsDeps<S> {
  type: PayloadType;
  limits: JsonLimits;
  /** Epoch ms after which no step starts. */
  deadline: number;
  /** The step's own timeout (the hook's), undefined for the default. */
  timeoutOf(step: S): number | undefined;
  /** Runs one step on `payload` within `timeoutMs`: never rejects. */
  run(step: S, payload: unknown, timeoutMs: number): Promise<HookOutcome>;
}

export async function runChainSteps<S>(steps: readonly S[], payload: unknown, deps: ChainStepsDeps<S>): Promise<{ payload: unknown; steps: ChainStepResult[] }> {
  const results: ChainStepResult[] = [];
  for (const step of steps) {
    const remaining = deps.deadline - Date.now();
    if (remaining <= 0) {
      results.push({ status: 'skipped' });
      continue;
    }
    const own = deps.timeoutOf(step);
    const outcome = await deps.run(step, payload, Math.min(own ?? remaining, remaining));
    let candidate: unknown;
    const status = settleOutcome(outcome, filterOutputCheck(deps.type, payload, deps.limits, (accepted) => (candidate = accepted)), deps.limits);
    if (status === 'ok' && candidate !== payload) {
      payload = candidate;
      results.push({ status, outcome, payload });
    } else results.push({ status, outcome });
  }
  return { payload, steps: results };
}
