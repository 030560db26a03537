// The filter chain: a type's filter hooks in priority order, each getting the previous
// output. The step loop and the judge of each output are the runtime's (runtime/chain/): the
// invoker runs consecutive module hooks in the sandbox host in one crossing. Here: one deadline
// for the whole chain, each run recorded as a single call's would be, and what the chain returns.
import type { Catalog } from '../catalog.ts';
import type { HookRecord } from '../db/hooks-store.ts';
import type { NewInvocation } from '../db/invocations-store.ts';
import type { EmittedByRun } from '../events/ports.ts';
import type { JsonLimits } from '../json-bounds.ts';
import { filterOutputCheck as judgeWith, judgeFilterOutput as judge, type CheckVerdict, type FilterJudgement, type HookEvent, type PayloadType } from '../../runtime/index.ts';
import type { InvocationStatus, Invoker } from './invoke.ts';

export interface ChainResult {
  hook: { id: string; name: string };
  status: InvocationStatus | 'skipped';
  durationMs: number;
  error?: string;
}

export interface ChainOutput {
  payload: unknown;
  changed: boolean;
  results: ChainResult[];
}

/** A catalog type as the judge sees it: its name and its schema's check. */
export function payloadTypeOf(catalog: Catalog, type: string): PayloadType {
  return { name: type, validate: (payload) => catalog.validate(type, payload) };
}

/** The judge (runtime/chain/filter-judge.ts) for a catalog type: dry runs, replays, `hookd run-hook`. */
export function judgeFilterOutput(catalog: Catalog, type: string, current: unknown, value: unknown, limits: JsonLimits): FilterJudgement {
  return judge(payloadTypeOf(catalog, type), current, value, limits);
}

/** The invoker's check of a filter's ok value for a catalog type (dry runs and replays). */
export function filterOutputCheck(
  catalog: Catalog,
  type: string,
  current: unknown,
  limits: JsonLimits,
  accept: (payload: unknown) => void,
): (value: unknown) => CheckVerdict {
  return judgeWith(payloadTypeOf(catalog, type), current, limits, accept);
}

export interface FilterChainDeps {
  catalog: Catalog;
  invoker: Pick<Invoker, 'runChain' | 'record'>;
  deadlineMs: number;
  limits: JsonLimits;
  /** Told how long each chain that is not a dry run took (GET /metrics). */
  observeChain: (chain: { type: string; durationMs: number }) => void;
}

export function createFilterChain(deps: FilterChainDeps) {
  return async function runFilterChain(
    event: HookEvent,
    hooks: HookRecord[],
    options: { dryRun?: boolean; collect?: NewInvocation[]; emits?: EmittedByRun[] } = {},
  ): Promise<ChainOutput> {
    const started = performance.now();
    const original = JSON.stringify(event.payload);
    const out = await deps.invoker.runChain(hooks, event, {
      type: payloadTypeOf(deps.catalog, event.type),
      schema: deps.catalog.get(event.type)?.schema,
      limits: deps.limits,
      deadline: Date.now() + deps.deadlineMs,
    });
    // Each run recorded in order, as a single call's would be, with the payload it was given.
    let payload = event.payload;
    const results: ChainResult[] = [];
    for (const [i, step] of out.steps.entries()) {
      const hook = hooks[i]!;
      if (step.status === 'skipped') {
        results.push({ hook: { id: hook.id, name: hook.name }, status: 'skipped', durationMs: 0, error: `the chain's deadline of ${deps.deadlineMs} ms passed` });
        continue;
      }
      const { status, outcome } = await deps.invoker.record(hook, { ...event, payload }, step.status, step.outcome, {
        mode: 'filter',
        dryRun: options.dryRun,
        collect: options.collect,
      });
      if (options.emits && outcome.emitted?.length) options.emits.push({ hook, emitted: outcome.emitted });
      if ('payload' in step) payload = step.payload;
      results.push({
        hook: { id: hook.id, name: hook.name },
        status,
        durationMs: outcome.durationMs,
        ...(outcome.error ? { error: outcome.error.message } : {}),
      });
    }
    if (!options.dryRun) deps.observeChain({ type: event.type, durationMs: performance.now() - started });
    return { payload: out.payload, changed: JSON.stringify(out.payload) !== original, results };
  };
}

export type FilterChain = ReturnType<typeof createFilterChain>;
