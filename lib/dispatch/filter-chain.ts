// The filter chain: a type's filter hooks in priority order, each getting the previous
// output. A hook returns a whole new payload, { patch } (RFC 7396), or nothing. Output that is
// not bounded JSON data, or that the type's schema refuses, is discarded; failures are listed
// and the chain goes on; one deadline bounds the whole chain.
import type { Catalog } from '../catalog.ts';
import type { HookRecord } from '../db/hooks-store.ts';
import type { NewInvocation } from '../db/invocations-store.ts';
import { findTooDeep, toJsonData, type JsonLimits } from '../json-bounds.ts';
import type { HookEvent } from '../../runtime/index.ts';
import type { InvocationStatus, Invoker } from './invoke.ts';
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
): { ok: true; payload: unknown } | { ok: false; message: string } {
  if (value === undefined || value === null) return { ok: true, payload: current };
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
  if (problems.length === 0) return { ok: true, payload };
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
        check: (value) => {
          const judged = judgeFilterOutput(deps.catalog, event.type, payload, value, deps.limits);
          if (!judged.ok) return judged.message;
          candidate = judged.payload;
          return undefined;
        },
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
