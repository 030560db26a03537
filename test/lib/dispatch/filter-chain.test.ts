// The filter chain with the invoker replaced by a port that answers scripted outcomes: each
// hook gets the previous output, a failing or refused hook is listed and skipped, the chain's
// deadline skips what is left, and "changed" says whether the payload moved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCatalog } from '../../../lib/catalog.ts';
import type { HookRecord } from '../../../lib/db/hooks-store.ts';
import { createFilterChain } from '../../../lib/dispatch/filter-chain.ts';
import type { InvocationStatus, InvokeOptions, Invoker } from '../../../lib/dispatch/invoke.ts';
import type { HookEvent } from '../../../runtime/index.ts';
import { hookFields } from '../../helpers/unit-parts.ts';

const catalog = createCatalog({
  'media.added': { kind: 'business', schema: { type: 'object', required: ['title'], properties: { title: { type: 'string' } } } },
});

type Script = (payload: any) => { status?: InvocationStatus; value?: unknown; error?: string; durationMs?: number };

function chainOf(scripts: Record<string, Script>, deadlineMs = 60_000) {
  const seen: Array<{ hook: string; payload: unknown; timeoutMs: number | undefined }> = [];
  const observed: string[] = [];
  const invoker = {
    async invoke(hook: HookRecord, event: HookEvent, options: InvokeOptions) {
      seen.push({ hook: hook.name, payload: event.payload, timeoutMs: options.timeoutMs });
      const answer = scripts[hook.name]!(event.payload);
      let status: InvocationStatus = answer.status ?? 'ok';
      let error = answer.error;
      // The real invoker asks the chain's judge about an ok value (see invoke.ts).
      if (status === 'ok' && options.check) {
        const { refused } = options.check(answer.value);
        if (refused !== undefined) {
          status = 'invalid-output';
          error = refused;
        }
      }
      return { hook, status, outcome: { status: 'ok', logs: [], durationMs: answer.durationMs ?? 1, ...(error ? { error: { message: error } } : {}) } };
    },
    drain: async () => {},
  } as unknown as Invoker;
  const run = createFilterChain({ catalog, invoker, deadlineMs, limits: { maxDepth: 16, maxBytes: 65_536 }, observeChain: (c) => void observed.push(c.type) });
  const hooks = Object.keys(scripts).map((name, i) => ({ ...hookFields({ name, mode: 'filter' }), id: `h${i}` }) as HookRecord);
  return { run: (payload: unknown, options?: { dryRun?: boolean }) => run({ id: 'e1', type: 'media.added', occurredAt: '2026-01-01T00:00:00.000Z', payload }, hooks, options), seen, observed };
}

test('each hook gets the previous output: a whole payload, a merge patch, or nothing', async () => {
  const { run, seen } = chainOf({
    upper: (p) => ({ value: { ...p, title: p.title.toUpperCase() } }),
    patch: () => ({ value: { patch: { year: 2021 } } }),
    nothing: () => ({}),
  });
  const out = await run({ title: 'dune' });
  assert.deepEqual(out.payload, { title: 'DUNE', year: 2021 });
  assert.equal(out.changed, true);
  assert.deepEqual(seen.map((s) => s.payload), [{ title: 'dune' }, { title: 'DUNE' }, { title: 'DUNE', year: 2021 }]);
  assert.deepEqual(out.results.map((r) => [r.hook.name, r.status]), [['upper', 'ok'], ['patch', 'ok'], ['nothing', 'ok']]);
});

test('a hook that fails or whose output the schema refuses is listed and skipped; the rest still apply', async () => {
  const { run, seen } = chainOf({
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
});

test('an output equal to the input is not a change', async () => {
  const { run } = chainOf({ same: (p) => ({ value: { ...p } }) });
  assert.equal((await run({ title: 'x' })).changed, false);
});

test('once the chain\'s deadline has passed, the hooks left are skipped with the reason', async () => {
  const { run, seen } = chainOf({ first: () => ({ value: { title: 'a' } }), second: () => ({ value: { title: 'b' } }) }, 0);
  const out = await run({ title: 'x' });
  assert.deepEqual(seen, []);
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
