// Validates a hook definition (from POST/PATCH /hooks or a hooks-directory file) and turns it
// into stored fields: shape by JSON Schema (400), patterns against the catalog (422), the
// limit profile (422), env names no hook may get (422), the module source compiled with line
// and column on error (400).
import type { Catalog } from '../catalog.ts';
import type { HookFields, HookRecord } from '../db/hooks-store.ts';
import { errors } from '../errors.ts';
import { checkPatternList } from '../event-pattern.ts';
import type { Validator } from '../json-schema.ts';
import { validateNetAllowlist, type Compiler } from '../../runtime/index.ts';

import type { HookInput } from './hook-schema.ts';
import { validateHookChange, validateNewHook } from './hook-validators.ts';

export { HOOK_FIELDS, HOOK_INPUT_SCHEMA, HOOK_NAME_PATTERN, NEW_HOOK_SCHEMA, type HookInput } from './hook-schema.ts';

export interface HookDefinitionDeps {
  catalog: Catalog;
  compiler: Compiler;
  profiles: readonly string[];
  maxTimeoutMs: number;
  /** Checks a command hook's program (issue 5); throws a HookdError when it cannot run. */
  checkCommand?: (argv: string[]) => Promise<void>;
  /** Why an env name can never be granted (EnvGrants.refuse), or undefined. */
  refuseEnv: (name: string) => string | undefined;
}

export const DEFAULT_PRIORITY = 100;

export function createHookDefinitions(deps: HookDefinitionDeps) {
  // The API checks its bodies against the same schemas before they get here; a hook file's
  // config is checked only here.
  function checkShape(input: unknown, validate: Validator): HookInput {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw errors.validation('the body must be a JSON object describing the hook');
    }
    const problems = validate(input);
    if (problems.length > 0) {
      throw errors.validation(`invalid hook: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`, { problems });
    }
    return input as HookInput;
  }

  function checkPatterns(patterns: string[]): void {
    checkPatternList(patterns, 'events', (i) => ({ pointer: i === undefined ? '/events' : `/events/${i}` }));
    for (const [i, pattern] of patterns.entries()) {
      if (deps.catalog.match(pattern).length === 0) {
        throw errors.unprocessable(`event pattern "${pattern}" matches no event type in the catalog (GET /catalog)`, {
          pointer: `/events/${i}`,
        });
      }
    }
  }

  // Refused here as well as at each run: an admin learns now, not from a variable that never arrives.
  function checkEnv(input: HookInput): void {
    const lists: Array<[string, string[] | undefined]> = [['/permissions/env', input.permissions?.env], ['/env', input.env]];
    for (const [field, names] of lists) {
      for (const [i, name] of (names ?? []).entries()) {
        const why = deps.refuseEnv(name);
        if (why !== undefined) {
          throw errors.unprocessable(`${field}/${i}: "${name}" cannot be granted to a hook: ${why}`, { pointer: `${field}/${i}`, reason: why });
        }
      }
    }
  }

  function checkRest(input: HookInput): void {
    checkEnv(input);
    if (input.limits !== undefined && !deps.profiles.includes(input.limits)) {
      throw errors.unprocessable(`limit profile "${input.limits}" does not exist; known: ${deps.profiles.join(', ')}`, {
        pointer: '/limits',
      });
    }
    const netProblems = validateNetAllowlist(input.permissions?.net ?? []);
    if (netProblems.length > 0) {
      throw errors.validation(`invalid permissions.net: ${netProblems.join('; ')}`, { pointer: '/permissions/net' });
    }
    if (input.timeoutMs !== undefined && input.timeoutMs > deps.maxTimeoutMs) {
      throw errors.validation(`timeoutMs ${input.timeoutMs} is above the maximum of ${deps.maxTimeoutMs}`, { pointer: '/timeoutMs' });
    }
  }

  async function compile(source: string, filename: string) {
    // PostgreSQL's text cannot hold U+0000 (nul-text.ts); JavaScript source has no need of it
    // raw (a string literal writes \0), so it is refused on every backend, at its place.
    const nul = source.indexOf('\u0000');
    if (nul >= 0) {
      const before = source.slice(0, nul).split('\n');
      throw errors.compile(filename, 'the source holds the NUL character (U+0000); write it as \\0 inside a string', before.length, before.at(-1)!.length + 1);
    }
    const result = await deps.compiler.compile(source, filename);
    if (!result.ok) throw errors.compile(filename, result.error.message, result.error.line, result.error.column);
    return result.hook;
  }

  // The schema lists the apps hookd takes webhooks from; each has a Custom Script table (arr-script-env).
  function checkArrScript(kind: 'module' | 'command', input: HookInput): void {
    const app = input.arrScript;
    if (app === undefined || app === null) return;
    if (kind === 'module') {
      throw errors.validation('arrScript is for command hooks only (a module hook reads the app\'s body from event.payload)', { pointer: '/arrScript' });
    }
  }

  async function checkBody(kind: 'module' | 'command', input: HookInput, filename: string): Promise<Partial<HookFields>> {
    checkArrScript(kind, input);
    if (kind === 'module') {
      if (input.command !== undefined) throw errors.validation('a module hook has "source", not "command"', { pointer: '/command' });
      if (input.source === undefined) return {};
      return { source: input.source, compiled: await compile(input.source, filename) };
    }
    if (input.source !== undefined) throw errors.validation('a command hook has "command", not "source"', { pointer: '/source' });
    if (input.command === undefined) return {};
    if (!deps.checkCommand) throw errors.unprocessable('command hooks are not available in this build');
    await deps.checkCommand(input.command);
    return { command: input.command };
  }

  return {
    /** A full definition for a new hook. `filename` names the module in stacks and errors. */
    async forCreate(raw: unknown, origin: 'api' | 'file', filePath: string | null = null): Promise<HookFields> {
      const input = checkShape(raw, validateNewHook);
      const kind = input.kind ?? (input.command ? 'command' : 'module');
      if (kind === 'module' && input.source === undefined) throw errors.validation('invalid hook: /source is required', { pointer: '/source' });
      if (kind === 'command' && input.command === undefined) throw errors.validation('invalid hook: /command is required', { pointer: '/command' });
      checkPatterns(input.events!);
      checkRest(input);
      const body = await checkBody(kind, input, filePath ?? `${input.name}.js`);
      return {
        name: input.name!,
        origin,
        filePath,
        kind,
        mode: input.mode!,
        events: input.events!,
        priority: input.priority ?? DEFAULT_PRIORITY,
        source: body.source ?? null,
        compiled: body.compiled ?? null,
        command: body.command ?? null,
        env: input.env ?? [],
        arrScript: input.arrScript ?? null,
        permissions: input.permissions ?? {},
        timeoutMs: input.timeoutMs ?? null,
        limits: input.limits ?? null,
        enabled: input.enabled ?? true,
        disabledReason: null,
      };
    },

    /** The fields a PATCH changes; the kind of a hook cannot change. */
    async forUpdate(existing: HookRecord, raw: unknown): Promise<Partial<HookFields>> {
      const input = checkShape(raw, validateHookChange);
      if (input.kind !== undefined && input.kind !== existing.kind) {
        throw errors.validation(`a hook's kind cannot change (it is "${existing.kind}"): create a new hook`, { pointer: '/kind' });
      }
      if (input.events) checkPatterns(input.events);
      checkRest(input);
      const body = await checkBody(existing.kind, input, existing.filePath ?? `${input.name ?? existing.name}.js`);
      const fields: Partial<HookFields> = { ...body };
      for (const key of ['name', 'events', 'mode', 'priority', 'env', 'arrScript', 'permissions', 'timeoutMs', 'limits', 'enabled'] as const) {
        if (input[key] !== undefined) (fields as Record<string, unknown>)[key] = input[key];
      }
      return fields;
    },
  };
}

export type HookDefinitions = ReturnType<typeof createHookDefinitions>;
