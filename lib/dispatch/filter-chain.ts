// The filter chain: a type's filter hooks in priority order, each getting the previous
// output. A hook returns a whole new payload, { patch } (RFC 7396), or nothing. Output that is
// not bounded JSON data, or that the type's schema refuses, is discarded; failures are listed
// and the chain goes on; one deadline bounds the whole chain.
import type { Catalog } from '../catalog.ts';
import type { HookRecord } from '../db/hooks-store.ts';
import type { NewInvocation } from '../db/invocations-store.ts';
import { findTooDeep, toJsonData, type JsonLimits } from '../json-bounds.ts';
import type { HookEvent } from '../../runtime/index.ts';
import type { CheckVerdict, InvocationStatus, Invoker } from './invoke.ts';
import { applyMergePatch } from './merge-patch.ts';

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

/** { patch } alone is a merge patch; any other value is a whole new payload. */
function isPatch(value: unknown): value is { patch: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'patch';
}

/**
 * An accepted output's payload and, in `asJson`, the hook's value as JSON data exactly as
 * keepResultAsJson (invoke.ts) would copy it, when the judge's own copy already is that: the
 * invoker then keeps it instead of copying the value a second time.
 */
export type FilterJudgement = { ok: true; payload: unknown; asJson?: { value: unknown } } | { ok: false; message: string };

// What { patch } adds to its contents' size as toJsonData counts it: the object (1) and its key (5 + 3).
const PATCH_WRAPPER_SIZE = 9;

/**
 * The judge's copy as keepResultAsJson's: that one copies the whole value one level deeper and
 * within the same maxBytes, so a whole payload the judge accepted copies the same, and a
 * patch does while its contents leave room for the wrapper (else the invoker copies, and refuses).
 */
function keptAsJson(patch: boolean, copy: unknown, size: number, limits: JsonLimits): { asJson?: { value: unknown } } {
  if (!patch) return { asJson: { value: copy } };
  if (size + PATCH_WRAPPER_SIZE > limits.maxBytes) return {};
  // toJsonData leaves an undefined property out of an object.
  return { asJson: { value: copy === undefined ? {} : { patch: copy } } };
}

/**
 * The invoker's check of a filter's ok value (chain, dry runs, replays): refused with the judge's
 * message, or accepted, `accept` told the payload it leads to.
 */
export function filterOutputCheck(
  catalog: Catalog,
  type: string,
  current: unknown,
  limits: JsonLimits,
  accept: (payload: unknown) => void,
): (value: unknown) => CheckVerdict {
  return (value) => {
    const judged = judgeFilterOutput(catalog, type, current, value, limits);
    if (!judged.ok) return { refused: judged.message };
    accept(judged.payload);
    return judged.asJson ? { asJson: judged.asJson } : {};
  };
}

/**
 * A filter's output as the chain judges it: the payload it leads to, or why it is discarded.
 * The chain, dry runs and `hookd run-hook` all use this one rule. What is judged is exactly
 * what would be stored: the value as JSON data first (a hook's value arrives by v8 deserialize
 * and may hold a BigInt, a Map, NaN...), then the resulting payload's depth and schema, so an
 * accepted payload is always schema-valid JSON.
 */
export function judgeFilterOutput(
  catalog: Catalog,
  type: string,
  current: unknown,
  value: unknown,
  limits: JsonLimits,
): FilterJudgement {
  if (value === undefined || value === null) return { ok: true, payload: current, asJson: { value } };
  const patch = isPatch(value);
  const data = toJsonData(patch ? value.patch : value, limits);
  if (!data.ok) return { ok: false, message: `output discarded: ${data.message}${data.pointer || patch ? ` (at ${patch ? '/patch' : ''}${data.pointer})` : ''}` };
  const payload = patch ? applyMergePatch(current, data.value) : data.value;
  // A patch never nests deeper than the payload and itself; checked anyway, it is what is stored.
  const deep = findTooDeep(payload, limits.maxDepth);
  if (deep !== undefined) {
    return { ok: false, message: `output discarded: the payload would be nested more than ${limits.maxDepth} levels deep at ${deep} (config events.maxDepth)` };
  }
  const problems = catalog.validate(type, payload);
  if (problems.length === 0) return { ok: true, payload, ...keptAsJson(patch, data.value, data.size, limits) };
  return {
    ok: false,
    message: `output discarded: it does not match the schema of "${type}": ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`,
  };
}

export interface FilterChainDeps {
  catalog: Catalog;
  invoker: Invoker;
  deadlineMs: number;
  limits: JsonLimits;
  /** Told how long each chain that is not a dry run took (GET /metrics). */
  observeChain: (chain: { type: string; durationMs: number }) => void;
}

export function createFilterChain(deps: FilterChainDeps) {
  return async function runFilterChain(
    event: HookEvent,
    hooks: HookRecord[],
    options: { dryRun?: boolean; collect?: NewInvocation[] } = {},
  ): Promise<ChainOutput> {
    const started = performance.now();
    const deadline = Date.now() + deps.deadlineMs;
    const original = JSON.stringify(event.payload);
    let payload = event.payload;
    const results: ChainResult[] = [];
    for (const hook of hooks) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        results.push({ hook: { id: hook.id, name: hook.name }, status: 'skipped', durationMs: 0, error: `the chain's deadline of ${deps.deadlineMs} ms passed` });
        continue;
      }
      let candidate: unknown;
      const { status, outcome } = await deps.invoker.invoke(hook, { ...event, payload }, {
        mode: 'filter',
        dryRun: options.dryRun,
        collect: options.collect,
        timeoutMs: Math.min(hook.timeoutMs ?? remaining, remaining),
        check: filterOutputCheck(deps.catalog, event.type, payload, deps.limits, (accepted) => (candidate = accepted)),
      });
      if (status === 'ok') payload = candidate;
      results.push({
        hook: { id: hook.id, name: hook.name },
        status,
        durationMs: outcome.durationMs,
        ...(outcome.error ? { error: outcome.error.message } : {}),
      });
    }
    if (!options.dryRun) deps.observeChain({ type: event.type, durationMs: performance.now() - started });
    return { payload, changed: JSON.stringify(payload) !== original, results };
  };
}

export type FilterChain = ReturnType<typeof createFilterChain>;
