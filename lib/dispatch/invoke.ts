// Runs one hook for one event, or a filter chain's hooks, and records each run: the sandbox
// (module; a chain's consecutive module hooks in one crossing) or the command runner, the
// invocation log (group-committed, retried while the storage fails), the failure count with
// auto-disable, and a hook.executed notice on the bus. Never throws: every failure is an
// outcome. A run's value is kept only as bounded JSON data (else it is invalid-result).
import type { HookRecord, HooksStore } from '../db/hooks-store.ts';
import { createGroupCommit } from '../db/group-commit.ts';
import type { InvocationsStore, NewInvocation } from '../db/invocations-store.ts';
import { retryOnStorageFailure } from '../db/storage-retry.ts';
import type { JsonLimits } from '../json-bounds.ts';
import type { Logger } from '../log.ts';
import type { HookCall } from '../metrics/index.ts';
import {
  keepResultAsJson,
  runChainSteps,
  settleOutcome,
  type ChainOutcome,
  type ChainStepResult,
  type CheckVerdict,
  type HookEvent,
  type HookOutcome,
  type PayloadType,
  type Sandbox,
  type StepStatus,
} from '../../runtime/index.ts';
import type { HookRegistry } from './hook-registry.ts';

export { keepResultAsJson, type CheckVerdict };

/** An outcome as dispatch records it: the runtime's, or `invalid-output` for a filter result the schema refused. */
export type InvocationStatus = StepStatus;

/** What a filter chain's hooks are judged against, and until when they may start. */
export interface ChainSpec {
  type: PayloadType;
  /** The type's schema as the sandbox host compiles it (the same as `type.validate` checks). */
  schema: object | boolean | undefined;
  limits: JsonLimits;
  /** Epoch ms after which no hook starts. */
  deadline: number;
}

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
  /** Told of every recorded invocation (the bus, hook.executed, emitted events); answers once those are stored. */
  onInvoked?: (invocation: Invocation, event: HookEvent, options: InvokeOptions) => Promise<void>;
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

  const grantsOf = (hook: HookRecord, event: HookEvent, options: Pick<InvokeOptions, 'narrowGrants'>) =>
    (options.narrowGrants ?? ((g) => g))(deps.grantsFor?.(hook, event) ?? {});

  async function run(hook: HookRecord, event: HookEvent, timeoutMs: number | undefined, options: Pick<InvokeOptions, 'narrowGrants'>): Promise<HookOutcome> {
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
      grants: grantsOf(hook, event, options),
    });
  }

  /** Whether a chain step runs in the sandbox host (with its neighbours) rather than here. */
  const inSandbox = (hook: HookRecord) => hook.kind !== 'command' && hook.compiled !== null && hook.compiled !== undefined;

  /**
   * A filter chain's hooks on `event.payload`, in order: each run of consecutive module hooks
   * crosses into the sandbox host once (host/chain.ts runs and judges them there); command
   * hooks and hooks without a module run here, by the same step loop and judge.
   */
  async function runChain(hooks: readonly HookRecord[], event: HookEvent, spec: ChainSpec): Promise<ChainOutcome> {
    let payload = event.payload;
    const steps: ChainStepResult[] = [];
    for (let start = 0; start < hooks.length; ) {
      const sandboxed = inSandbox(hooks[start]!);
      let end = start + 1;
      while (end < hooks.length && inSandbox(hooks[end]!) === sandboxed) end += 1;
      const segment = hooks.slice(start, end);
      const at = { ...event, payload };
      const out = sandboxed
        ? await deps.sandbox.runChain({
            event: at,
            steps: segment.map((hook) => ({
              hookId: hook.id,
              hookName: hook.name,
              hook: hook.compiled!,
              ...(hook.timeoutMs != null ? { timeoutMs: hook.timeoutMs } : {}),
              ...(hook.limits ? { limits: hook.limits } : {}),
              grants: grantsOf(hook, at, {}),
            })),
            deadline: spec.deadline,
            limits: spec.limits,
            ...(spec.schema === undefined ? {} : { schema: spec.schema }),
          })
        : await runChainSteps(segment, payload, {
            type: spec.type,
            limits: spec.limits,
            deadline: spec.deadline,
            timeoutOf: (hook) => hook.timeoutMs ?? undefined,
            run: (hook, input, timeoutMs) => run(hook, { ...event, payload: input }, timeoutMs, {}),
          });
      steps.push(...out.steps);
      payload = out.payload;
      start = end;
    }
    return { payload, steps };
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
    const status = settleOutcome(outcome, options.check, deps.payloadLimits);
    return record(hook, event, status, outcome, options);
  }

  /**
   * Records a settled run (invocation log or `collect`, failure count, metrics) and tells the
   * listeners; `event` carries the payload the hook was given.
   */
  async function record(hook: HookRecord, event: HookEvent, status: InvocationStatus, outcome: HookOutcome, options: InvokeOptions): Promise<Invocation> {
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
    const raised = deps.onInvoked?.(invocation, event, options);
    // An action run ends (and its event may be marked done) only once what it emitted is
    // stored: a kill -9 between the done-mark and those writes lost them for good. A filter's
    // event is not stored yet; its chain goes on.
    if (options.mode === 'action') await raised;
    return invocation;
  }

  return { invoke, runChain, record, drain: () => log.drain() };
}

export type Invoker = ReturnType<typeof createInvoker>;
