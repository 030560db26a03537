// The filter chain with the invoker replaced by a port that runs the runtime's step loop
// (runtime/chain/run-steps.ts, as the sandbox host does) over scripted outcomes: each hook gets
// the previous output, a failing or refused hook is listed and skipped, the chain's deadline
// skips what is left, every run is recorded with the payload it got, and "changed" says whether the payload moved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCatalog } from '../../../lib/catalog.ts';
import type { HookRecord } from '../../../lib/db/hooks-store.ts';
import { createFilterChain } from '../../../lib/dispatch/filter-chain.ts';
import type { ChainSpec, InvocationStatus, InvokeOptions, Invoker } from '../../../lib/dispatch/invoke.ts';
import { runChainSteps, type HookEvent, type HookOutcome, type OutcomeStatus } from '../../../runtime/index.ts';
import { hookFields } from '../../helpers/unit-parts.ts';

const catalog = createCatalog({
  'media.added': { kind: 'business', schema: { type: 'object', required: ['title'], properties: { title: { type: 'string' } } } },
});

type Script = (payload: any) => { status?: OutcomeStatus; value?: unknown; error?: string; durationMs?: number };

function chainOf(scripts: Record<string, Script>, deadlineMs = 60_000) {
  const seen: Array<{ hook: string; payload: unknown; timeoutMs: number | undefined }> = [];
  const recorded: Array<{ hook: string; payload: unknown; status: InvocationStatus }> = [];
  const observed: string[] = [];
  const invoker: Pick<Invoker, 'runChain' | 'record'> = {
    runChain: (hooks: readonly HookRecord[], event: HookEvent, spec: ChainSpec) =>
      runChainSteps(hooks, event.payload, {
        ...spec,
        timeoutOf: () => undefined,
        run: async (hook, payload, timeoutMs): Promise<HookOutcome> => {
          seen.push({ hook: hook.name, payload, timeoutMs });
          const answer = scripts[hook.name]!(payload);
          return { status: answer.status ?? 'ok', value: answer.value, logs: [], durationMs: answer.durationMs ?? 1, ...(answer.error ? { error: { message: answer.error } } : {}) };
        },
      }),
    async record(hook: HookRecord, event: HookEvent, status: InvocationStatus, outcome: HookOutcome, _options: InvokeOptions) {
      recorded.push({ hook: hook.name, payload: event.payload, status });
      return { hook, status, outcome };
    },
  };
  const run = createFilterChain({ catalog, invoker, deadlineMs, limits: { maxDepth: 16, maxBytes: 65_536 }, observeChain: (c) => void observed.push(c.type) });
  const hooks = Object.keys(scripts).map((name, i) => ({ ...hookFields({ name, mode: 'filter' }), id: `h${i}` }) as HookRecord);
  return { run: (payload: unknown, options?: { dryRun?: boolean }) => run({ id: 'e1', type: 'media.added', occurredAt: '2026-01-01T00:00:00.000Z', payload }, hooks, options), seen, recorded, observed };
}

test('each hook gets the previous output: a whole payload, a merge patch, or nothing', async () => {
  const { run, seen, recorded } = chainOf({
    upper: (p) => ({ value: { ...p, title: p.title.toUpperCase() } }),
    patch: () => ({ value: { patch: { year: 2021 } } }),
    nothing: () => ({}),
  });
  const out = await run({ title: 'dune' });
  assert.deepEqual(out.payload, { title: 'DUNE', year: 2021 });
  assert.equal(out.changed, true);
  assert.deepEqual(seen.map((s) => s.payload), [{ title: 'dune' }, { title: 'DUNE' }, { title: 'DUNE', year: 2021 }]);
  assert.deepEqual(recorded.map((r) => r.payload), seen.map((s) => s.payload), 'each run is recorded with the payload it was given');
  assert.deepEqual(out.results.map((r) => [r.hook.name, r.status]), [['upper', 'ok'], ['patch', 'ok'], ['nothing', 'ok']]);
});

test('a hook that fails or whose output the schema refuses is listed and skipped; the rest still apply', async () => {
  const { run, seen, recorded } = chainOf({
    throws: () => ({ status: 'error', error: 'boom' }),
    untitled: () => ({ value: { title: 42 } }),
    suffix: (p) => ({ value: { title: `${p.title}!` } }),
  });
  const out = await run({ title: 'Heat' });
  assert.deepEqual(out.payload, { title: 'Heat!' });
  assert.deepEqual(out.results.map((r) => r.status), ['error', 'invalid-output', 'ok']);
  assert.equal(out.results[0]!.error, 'boom');
  assert.match(out.results[1]!.error!, /does not match the schema of "media.added"/);
  assert.deepEqual(seen[2]!.payload, { title: 'Heat' }, 'the refused output never reached the next hook');
  assert.deepEqual(recorded.map((r) => r.status), ['error', 'invalid-output', 'ok']);
});

test('an output equal to the input is not a change', async () => {
  const { run } = chainOf({ same: (p) => ({ value: { ...p } }) });
  assert.equal((await run({ title: 'x' })).changed, false);
});

test('once the chain\'s deadline has passed, the hooks left are skipped with the reason', async () => {
  const { run, seen, recorded } = chainOf({ first: () => ({ value: { title: 'a' } }), second: () => ({ value: { title: 'b' } }) }, 0);
  const out = await run({ title: 'x' });
  assert.deepEqual(seen, []);
  assert.deepEqual(recorded, [], 'a skipped hook did not run and has no invocation');
  assert.deepEqual(out.results.map((r) => r.status), ['skipped', 'skipped']);
  assert.match(out.results[0]!.error!, /deadline of 0 ms passed/);
  assert.deepEqual(out.payload, { title: 'x' });
});

test('each call is bounded by what is left of the deadline; only real runs are observed', async () => {
  const { run, seen, observed } = chainOf({ one: () => ({}) }, 5_000);
  await run({ title: 'x' }, { dryRun: true });
  assert.ok(seen[0]!.timeoutMs! <= 5_000 && seen[0]!.timeoutMs! > 0);
  assert.deepEqual(observed, [], 'a dry run is not a chain the metrics count');
  await run({ title: 'x' });
  assert.deepEqual(observed, ['media.added']);
});
