// What a hook run's outcome is recorded as, wherever it ran: a check's verdict on an ok value
// (a filter's judge), then the value kept only as bounded JSON data. One rule for the daemon's
// invoker and the sandbox host's filter chain (host/chain.ts). Pure apart from the outcome it settles.
import type { HookOutcome, StepStatus } from '../protocol.ts';
import type { CheckVerdict } from './filter-judge.ts';
import { toJsonData, type JsonLimits } from './json-data.ts';

/**
 * Settles `outcome` in place and returns the status to record: an ok value the check refuses
 * is invalid-output with the check's message; a value that cannot be kept as JSON is dropped
 * (invalid-result when the run was ok).
 */
export function settleOutcome(outcome: HookOutcome, check: ((value: unknown) => CheckVerdict) | undefined, payloadLimits: JsonLimits): StepStatus {
  let status: StepStatus = outcome.status;
  const verdict = status === 'ok' ? check?.(outcome.value) : undefined;
  if (verdict?.refused !== undefined) {
    status = 'invalid-output';
    outcome.error = { message: verdict.refused };
  }
  if (verdict?.asJson) {
    outcome.value = verdict.asJson.value;
    return status;
  }
  return keepResultAsJson(outcome, status, payloadLimits);
}

/**
 * A run's value goes on to dry-run answers, the CLI and the judge, so it is kept only as
 * bounded JSON data. An ok run whose value is not (a BigInt, a Map, too deep) is
 * `invalid-result`, as the runtime already says of a function or a symbol (a filter's judge,
 * run first, has refused it as invalid-output). Returns the status to record.
 */
export function keepResultAsJson(outcome: HookOutcome, status: StepStatus, payloadLimits: JsonLimits): StepStatus {
  if (outcome.value === undefined) return status;
  // One level more than a payload: a filter's { patch } wraps one.
  const data = toJsonData(outcome.value, { ...payloadLimits, maxDepth: payloadLimits.maxDepth + 1 });
  if (data.ok) {
    outcome.value = data.value;
    return status;
  }
  outcome.value = undefined;
  if (status !== 'ok') return status;
  const where = data.pointer ? ` (at ${data.pointer})` : '';
  outcome.error = { name: 'InvalidResultError', message: `the hook's result cannot be kept as JSON: ${data.message}${where}` };
  return 'invalid-result';
}
