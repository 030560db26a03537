// /hooks: register, list, change and delete hooks; their invocation log; dry runs of a saved
// hook or of unsaved source. Admin scope. File hooks are read-only here except `enabled`.
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Catalog } from '../catalog.ts';
import type { HookRecord, HooksStore } from '../db/hooks-store.ts';
import type { InvocationsStore } from '../db/invocations-store.ts';
import { judgeFilterOutput } from '../dispatch/filter-chain.ts';
import type { HookDefinitions } from '../dispatch/hook-definition.ts';
import type { HookRegistry } from '../dispatch/hook-registry.ts';
import type { Invoker } from '../dispatch/invoke.ts';
import { errors } from '../errors.ts';
import type { JsonLimits } from '../json-bounds.ts';
import { requireScope } from './auth.ts';
import { readJsonObject } from './body.ts';
import { presentHook, presentInvocation } from './hook-view.ts';
import { checkIdParam, queryInteger } from './request-params.ts';

export interface HooksRouterDeps {
  store: HooksStore;
  registry: HookRegistry;
  definitions: HookDefinitions;
  invocations: InvocationsStore;
  invoker: Invoker;
  catalog: Catalog;
  bodyLimit: number;
  /** A filter's output (as the chain judges it); maxDepth also bounds request bodies. */
  payloadLimits: JsonLimits;
  /** Told of every permission change (who, old, new) for the audit log. */
  onPermissionsChanged?: (change: { hook: HookRecord; before: unknown; after: unknown; by: string }) => void;
}

export function createHooksRouter(deps: HooksRouterDeps): Router {
  const router = new Router();
  router.use('/hooks', requireScope('admin'));
  checkIdParam(router);

  async function load(id: string): Promise<HookRecord> {
    const hook = await deps.store.get(id);
    if (!hook) throw errors.notFound('hook', id);
    return hook;
  }

  const readJson = (ctx: Context, what = 'the hook') => readJsonObject(ctx, { limit: deps.bodyLimit, maxDepth: deps.payloadLimits.maxDepth }, what);

  /** The event a dry run uses: a known type and a payload that fits its schema. */
  function testEvent(input: { type?: unknown; payload?: unknown }) {
    if (typeof input.type !== 'string') throw errors.validation('"type" is required: the event type to test with', { pointer: '/type' });
    if (!deps.catalog.get(input.type)) throw errors.unknownEventType(input.type);
    const payload = input.payload ?? {};
    const problems = deps.catalog.validate(input.type, payload);
    if (problems.length > 0) throw errors.schemaViolation(input.type, problems.map((p) => ({ ...p, pointer: `/payload${p.pointer}` })));
    return { id: `test-${randomUUID()}`, type: input.type, occurredAt: new Date().toISOString(), payload };
  }

  async function dryRun(hook: HookRecord, input: { type?: unknown; payload?: unknown }) {
    const event = testEvent(input);
    // A filter's output is judged as the chain would judge it (invalid-output when refused).
    let payload: unknown;
    const check = (value: unknown) => {
      const judged = judgeFilterOutput(deps.catalog, event.type, event.payload, value, deps.payloadLimits);
      if (!judged.ok) return judged.message;
      payload = judged.payload;
      return undefined;
    };
    const { status, outcome } = await deps.invoker.invoke(hook, event, { mode: hook.mode, dryRun: true, ...(hook.mode === 'filter' ? { check } : {}) });
    return {
      status,
      result: outcome.value,
      ...(payload === undefined ? {} : { payload, changed: JSON.stringify(payload) !== JSON.stringify(event.payload) }),
      ...(outcome.error ? { error: outcome.error } : {}),
      logs: outcome.logs,
      durationMs: outcome.durationMs,
    };
  }

  router.post('/hooks', async (ctx) => {
    const fields = await deps.definitions.forCreate(await readJson(ctx), 'api');
    if (await deps.store.findByName(fields.name)) throw errors.conflict(`a hook named "${fields.name}" exists already`);
    const hook = await deps.store.insert(randomUUID(), fields);
    await deps.registry.reload();
    ctx.status = 201;
    ctx.body = presentHook(hook);
  });

  router.get('/hooks', async (ctx) => {
    ctx.body = { items: (await deps.store.list()).map(presentHook) };
  });

  router.post('/hooks/test', async (ctx) => {
    const { type, payload, ...definition } = await readJson(ctx, 'a hook definition with "type" and "payload"');
    const fields = await deps.definitions.forCreate({ name: 'dry-run', events: ['*'], mode: 'filter', ...definition }, 'api');
    const hook: HookRecord = { ...fields, id: 'dry-run', version: 0, consecutiveFailures: 0, createdAt: Date.now(), updatedAt: Date.now() };
    ctx.body = await dryRun(hook, { type, payload });
  });

  router.get('/hooks/:id', async (ctx) => {
    ctx.body = presentHook(await load(ctx.params.id!));
  });

  router.patch('/hooks/:id', async (ctx) => {
    const hook = await load(ctx.params.id!);
    const raw = await readJson(ctx);
    if (hook.origin === 'file' && Object.keys(raw).some((k) => k !== 'enabled')) {
      throw errors.readOnly('hook', hook.name, `it comes from ${hook.filePath}; edit the file (only "enabled" can change here)`);
    }
    const fields = await deps.definitions.forUpdate(hook, raw);
    if (fields.name && fields.name !== hook.name && (await deps.store.findByName(fields.name))) {
      throw errors.conflict(`a hook named "${fields.name}" exists already`);
    }
    const updated = (await deps.store.update(hook.id, fields))!;
    await deps.registry.reload();
    if (fields.permissions !== undefined && JSON.stringify(fields.permissions) !== JSON.stringify(hook.permissions)) {
      deps.onPermissionsChanged?.({ hook: updated, before: hook.permissions, after: updated.permissions, by: ctx.state.principal.name });
    }
    ctx.body = presentHook(updated);
  });

  router.delete('/hooks/:id', async (ctx) => {
    const hook = await load(ctx.params.id!);
    if (hook.origin === 'file') throw errors.readOnly('hook', hook.name, `it comes from ${hook.filePath}; delete the file`);
    await deps.store.remove(hook.id);
    await deps.registry.reload();
    ctx.status = 204;
  });

  router.get('/hooks/:id/invocations', async (ctx) => {
    const hook = await load(ctx.params.id!);
    const limit = queryInteger(ctx, 'limit', { min: 1, max: 500, fallback: 50 })!;
    const before = queryInteger(ctx, 'before', { min: 1, max: Number.MAX_SAFE_INTEGER });
    const items = await deps.invocations.listForHook(hook.id, limit, before);
    ctx.body = { items: items.map(presentInvocation), nextBefore: items.length === limit ? items.at(-1)!.id : null };
  });

  router.post('/hooks/:id/test', async (ctx) => {
    const hook = await load(ctx.params.id!);
    ctx.body = await dryRun(hook, await readJson(ctx, 'a test event with "type" and "payload"'));
  });

  return router;
}
