// The filter chain: a type's filter hooks in priority order, each getting the previous
// output. A hook returns a whole new payload, { patch } (RFC 7396), or nothing. Output the
// type's schema refuses is discarded; failures are listed and the chain goes on; one
// deadline bounds the whole chain.
import type { Catalog } from '../catalog.ts';
import type { HookRecord } from '../db/hooks-store.ts';
import type { NewInvocation } from '../db/invocations-store.ts';
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

/** { patch } alone is a merge patch; any other value is a whole new payload; undefined/null is no change. */
export function nextPayload(current: unknown, value: unknown): unknown {
  if (value === undefined || value === null) return current;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'patch') return applyMergePatch(current, (value as { patch: unknown }).patch);
  }
  return value;
}

export function createFilterChain(deps: { catalog: Catalog; invoker: Invoker; deadlineMs: number }) {
  return async function runFilterChain(
    event: HookEvent,
    hooks: HookRecord[],
    options: { dryRun?: boolean; collect?: NewInvocation[] } = {},
  ): Promise<ChainOutput> {
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
          candidate = nextPayload(payload, value);
          const problems = deps.catalog.validate(event.type, candidate);
          if (problems.length === 0) return undefined;
          return `output discarded: it does not match the schema of "${event.type}": ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`;
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
    return { payload, changed: JSON.stringify(payload) !== original, results };
  };
}

export type FilterChain = ReturnType<typeof createFilterChain>;
