// Runs one hook for one event and records it: the sandbox (module) or the command runner,
// the invocation log (group-committed, retried while the storage fails), the failure count
// with auto-disable, and a hook.executed notice on the bus. Never throws: every failure is
// an outcome. A run's value is kept only as bounded JSON data (else it is invalid-result).
import type { HookRecord, HooksStore } from '../db/hooks-store.ts';
import { createGroupCommit } from '../db/group-commit.ts';
import type { InvocationsStore, NewInvocation } from '../db/invocations-store.ts';
import { retryOnStorageFailure } from '../db/storage-retry.ts';
import { toJsonData, type JsonLimits } from '../json-bounds.ts';
import type { Logger } from '../log.ts';
import type { HookCall } from '../metrics/index.ts';
import type { HookEvent, HookOutcome, Sandbox } from '../../runtime/index.ts';
import type { HookRegistry } from './hook-registry.ts';

/** An outcome as dispatch records it: the runtime's, or `invalid-output` for a filter result the schema refused. */
export type InvocationStatus = HookOutcome['status'] | 'invalid-output';

export interface Invocation {
  hook: HookRecord;
  status: InvocationStatus;
  outcome: HookOutcome;
}

export interface InvokeOptions {
  mode: 'filter' | 'action';
  timeoutMs?: number;
  /** Dry runs (POST /hooks/:id/test) record nothing and count no failure. */
  dryRun?: boolean;
  /** Judges an ok result (the filter chain's schema check): see CheckVerdict. */
  check?: (value: unknown) => CheckVerdict;
  /** Collects the invocation record for the caller to write in its own transaction. */
  collect?: NewInvocation[];
  /** Narrows what the hook's permissions grant for this call (a replay withholds the network and progress). */
  narrowGrants?: (grants: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * A check's word on an ok value: refused (recorded as invalid-output with the message), or
 * accepted; `asJson` is the value as JSON data when the check already made exactly the copy
 * keepResultAsJson would, so it is not made twice.
 */
export type CheckVerdict = { refused: string; asJson?: undefined } | { refused?: undefined; asJson?: { value: unknown } };

export interface InvokerDeps {
  sandbox: Sandbox;
  hooks: HooksStore;
  registry: HookRegistry;
  invocations: InvocationsStore;
  log: Logger;
  disableAfterFailures: number;
  /** Bounds of a payload a hook produces (events.maxDepth, runtime.maxResultSize); see keepResultAsJson. */
  payloadLimits: JsonLimits;
  /** Aborted at stop: a storage failure's retries end and the work stays owed in the database. */
  stopSignal: AbortSignal;
  /** Runs a command hook (issue 5); absent: command hooks fail with a clear error. */
  runCommand?: (hook: HookRecord, event: HookEvent, timeoutMs: number | undefined) => Promise<HookOutcome>;
  /** What the hook may use besides plain JavaScript (permissions, progress, emit). */
  grantsFor?: (hook: HookRecord, event: HookEvent) => Record<string, unknown>;
  /** Told of every recorded invocation (the bus, hook.executed, emitted events). */
  onInvoked?: (invocation: Invocation, event: HookEvent, options: InvokeOptions) => void;
  /** Told of every run that is not a dry run (GET /metrics). */
  observeCall: (call: HookCall) => void;
}

export function createInvoker(deps: InvokerDeps) {
  const failures = new Map<string, number>();
  const log = createGroupCommit<NewInvocation, void>({
    maxBatchWeight: 500,
    flush: async (items) => {
      await deps.invocations.insertMany(items);
      return items.map(() => undefined);
    },
  });

  async function run(hook: HookRecord, event: HookEvent, timeoutMs: number | undefined, options: InvokeOptions): Promise<HookOutcome> {
    if (hook.kind === 'command') {
      if (deps.runCommand) return deps.runCommand(hook, event, timeoutMs);
      return { status: 'error', error: { message: 'command hooks are not available' }, logs: [], durationMs: 0 };
    }
    if (!hook.compiled) {
      return { status: 'error', error: { message: hook.disabledReason ?? 'the hook has no compiled module' }, logs: [], durationMs: 0 };
    }
    return deps.sandbox.run({
      hookId: hook.id,
      hookName: hook.name,
      hook: hook.compiled,
      event,
      timeoutMs,
      limits: hook.limits ?? undefined,
      grants: (options.narrowGrants ?? ((g) => g))(deps.grantsFor?.(hook, event) ?? {}),
    });
  }

  async function countOutcome(hook: HookRecord, ok: boolean, reason: string): Promise<void> {
    const before = failures.get(hook.id) ?? hook.consecutiveFailures;
    if (ok) {
      if (before > 0) {
        failures.set(hook.id, 0);
        await deps.hooks.resetFailures(hook.id);
      }
      return;
    }
    const result = await deps.hooks.recordFailure(
      hook.id,
      deps.disableAfterFailures,
      `disabled after ${deps.disableAfterFailures} consecutive failures; last: ${reason}`,
    );
    failures.set(hook.id, result.failures);
    if (result.disabled) {
      failures.delete(hook.id);
      deps.log.warn({ hookId: hook.id, hook: hook.name, failures: result.failures, reason }, 'hook auto-disabled');
      await deps.registry.reload();
    }
  }

  async function invoke(hook: HookRecord, event: HookEvent, options: InvokeOptions): Promise<Invocation> {
    const timeoutMs = options.timeoutMs ?? hook.timeoutMs ?? undefined;
    const outcome = await run(hook, event, timeoutMs, options);
    let status: InvocationStatus = outcome.status;
    const verdict = status === 'ok' ? options.check?.(outcome.value) : undefined;
    if (verdict?.refused !== undefined) {
      status = 'invalid-output';
      outcome.error = { message: verdict.refused };
    }
    if (verdict?.asJson) outcome.value = verdict.asJson.value;
    else status = keepResultAsJson(outcome, status, deps.payloadLimits);
    const invocation: Invocation = { hook, status, outcome };
    if (!options.dryRun) {
      deps.observeCall({ hook: hook.name, mode: options.mode, status, durationMs: outcome.durationMs });
      try {
        const record: NewInvocation = {
          eventId: event.id,
          hookId: hook.id,
          hookVersion: hook.version,
          mode: options.mode,
          status,
          durationMs: outcome.durationMs,
          error: outcome.error ?? null,
          // A denial is recorded even when the hook caught the error it raised.
          logs: [
            ...outcome.logs,
            ...(outcome.denials ?? []).map((d) => ({ level: 'warn' as const, message: `permission denied: ${d.message}`, at: d.at })),
          ],
        };
        if (options.collect) options.collect.push(record);
        else {
          await retryOnStorageFailure(() => log.add(record), {
            signal: deps.stopSignal,
            onFailure: (err, attempt, retryInMs) =>
              deps.log.warn({ err, hookId: hook.id, eventId: event.id, attempt, retryInMs }, 'could not record an invocation: storage failed; retrying'),
          });
        }
        await countOutcome(hook, status === 'ok', outcome.error?.message ?? status);
      } catch (err) {
        deps.log.error({ err, hookId: hook.id, eventId: event.id }, 'could not record an invocation');
      }
    }
    deps.onInvoked?.(invocation, event, options);
    return invocation;
  }

  return { invoke, drain: () => log.drain() };
}

export type Invoker = ReturnType<typeof createInvoker>;

/**
 * A run's value goes on to dry-run answers, the CLI and the judge, so it is kept only as
 * bounded JSON data. An ok run whose value is not (a BigInt, a Map, too deep) is
 * `invalid-result`, as the runtime already says of a function or a symbol (a filter's judge,
 * run first, has refused it as invalid-output). Returns the status to record.
 */
export function keepResultAsJson(outcome: HookOutcome, status: InvocationStatus, payloadLimits: JsonLimits): InvocationStatus {
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
