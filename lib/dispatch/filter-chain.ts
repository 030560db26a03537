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
function nextPayload(current: unknown, value: unknown): unknown {
  if (value === undefined || value === null) return current;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'patch') return applyMergePatch(current, (value as { patch: unknown }).patch);
  }
  return value;
}

/**
 * A filter's output as the chain judges it: the payload it leads to, or why it is discarded.
 * The chain, dry runs and `hookd run-hook` all use this one rule.
 */
export function judgeFilterOutput(
  catalog: Catalog,
  type: string,
  current: unknown,
  value: unknown,
): { ok: true; payload: unknown } | { ok: false; message: string } {
  const payload = nextPayload(current, value);
  const problems = catalog.validate(type, payload);
  if (problems.length === 0) return { ok: true, payload };
  return {
    ok: false,
    message: `output discarded: it does not match the schema of "${type}": ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`,
  };
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
          const judged = judgeFilterOutput(deps.catalog, event.type, payload, value);
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
    return { payload, changed: JSON.stringify(payload) !== original, results };
  };
}

export type FilterChain = ReturnType<typeof createFilterChain>;
