// Runs one hook file once, outside the daemon, the way the daemon would: the same definition
// rules, compiler, sandbox (or command runner), limits and grants. Used by `hookd run-hook` and
// by the tests of the example hooks. Side effect: a sandbox host child, ended by close().
import { randomUUID } from 'node:crypto';
import { createCatalog, type Catalog } from '../catalog.ts';
import { checkProgram, createCommandRunner, parseSidecar, readSidecarText, type CommandRunner } from '../commands/index.ts';
import type { Config } from '../config/index.ts';
import { readContainedFile } from '../contained-file.ts';
import type { HookFields, HookRecord } from '../db/hooks-store.ts';
import { judgeFilterOutput } from '../dispatch/filter-chain.ts';
import { findTooDeep } from '../json-bounds.ts';
import { createHookDefinitions, type HookDefinitions } from '../dispatch/hook-definition.ts';
import { createGrants } from '../dispatch/hook-grants.ts';
import { createEnvGrants } from '../env-grants.ts';
import { payloadChanged } from '../events/payload.ts';
import { keepResultAsJson, type InvocationStatus } from '../dispatch/invoke.ts';
import { errors } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createSandboxFromConfig } from '../sandbox.ts';
import { knownCredentials } from '../tokens.ts';
import { validateNetAllowlist, type Compiler, type EmittedEvent, type HookDenial, type HookEvent, type HookOutcome, type LogLine, type OutcomeError, type ProgressItem } from '../../runtime/index.ts';
import { describeHookFile, type HookFile } from './hook-file.ts';

export interface RunHookInput {
  file: string;
  /** The event type; inferred from the `<event-type>/` folder or config.events when absent. */
  eventType?: string;
  /** `{}` when absent. */
  payload?: unknown;
  /** Added to the hook's own permissions.net and permissions.env for this run. */
  allowNet?: string[];
  allowEnv?: string[];
}

export interface RunHookReport {
  file: string;
  hook: string;
  kind: 'module' | 'command';
  mode: 'filter' | 'action';
  event: HookEvent;
  status: InvocationStatus;
  durationMs: number;
  /** What the hook returned. */
  result?: unknown;
  /** Filters: the payload after this hook (what the next filter would get). */
  payload?: unknown;
  changed?: boolean;
  error?: OutcomeError;
  logs: LogLine[];
  progress: ProgressItem[];
  emitted?: EmittedEvent[];
  denials?: HookDenial[];
  /** Things the author should know that are not errors (a variable not set, a type not subscribed). */
  notes: string[];
}

export interface HookRunnerDeps {
  config: Config;
  log: Logger;
  /** Where ctx.env and command env values come from after the config's secrets; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

export function createHookRunner(deps: HookRunnerDeps) {
  const { config } = deps;
  const env = deps.env ?? process.env;
  const catalog = createCatalog(config.catalog);
  // The daemon's rule, with the credentials this machine's config and data dir hold.
  const envGrants = createEnvGrants({ secrets: config.secrets, env, credentials: knownCredentials(config) });
  const payloadLimits = { maxDepth: config.events.maxDepth, maxBytes: config.runtime.maxResultBytes };
  const progress: ProgressItem[] = [];
  const { sandbox, compiler } = createSandboxFromConfig({
    config: config.runtime,
    dataDir: config.dataDir,
    log: deps.log,
    onHookEvent: (event) => {
      if (event.type === 'hook.progress') progress.push(...event.items);
    },
  });
  const definitions = createHookDefinitions({
    catalog,
    compiler,
    profiles: Object.keys(config.runtime.profiles),
    maxTimeoutMs: config.runtime.maxTimeoutMs,
    checkCommand: checkProgram,
    refuseEnv: envGrants.refuse,
  });
  let commands: CommandRunner | undefined;

  async function run(input: RunHookInput): Promise<RunHookReport> {
    const file = describeHookFile(input.file, deps.cwd);
    const notes: string[] = [];
    checkAllowEnv(input.allowEnv ?? []);
    // A wrong --event or payload is the clearer message, so it comes before the file's own problems.
    // The daemon's rule for a posted payload: bounded depth, before anything else reads it.
    const deep = findTooDeep(input.payload, config.events.maxDepth);
    if (deep !== undefined) throw errors.jsonTooDeep(deep, config.events.maxDepth);
    if (input.eventType !== undefined) checkEvent(input.eventType, input.payload ?? {}, catalog);
    const fields = await defineHook(file, input.eventType, { catalog, definitions, compiler, maxSourceBytes: config.runtime.maxSourceBytes });
    const type = input.eventType ?? inferEventType(file, fields, catalog);
    if (input.eventType === undefined) checkEvent(type, input.payload ?? {}, catalog);
    if (!fields.events.some((pattern) => catalog.match(pattern).some((t) => t.name === type))) {
      notes.push(`this hook subscribes to ${fields.events.join(', ')}, not ${type}: the daemon would not run it for this event`);
    }
    const event: HookEvent = { id: `run-${randomUUID()}`, type, occurredAt: new Date().toISOString(), payload: input.payload ?? {} };
    const permissions = {
      net: [...(fields.permissions.net ?? []), ...(input.allowNet ?? [])],
      env: [...(fields.permissions.env ?? []), ...(input.allowEnv ?? [])],
      apps: fields.permissions.apps ?? [],
    };
    progress.length = 0;
    const outcome = file.kind === 'module'
      ? await runModule(fields, event, permissions, notes)
      : await runCommand(fields, event, [...fields.env, ...(input.allowEnv ?? [])]);
    return toReport(file, fields, event, outcome, notes);
  }

  async function runModule(fields: HookFields, event: HookEvent, permissions: { net: string[]; env: string[]; apps: string[] }, notes: string[]): Promise<HookOutcome> {
    const problems = validateNetAllowlist(permissions.net);
    if (problems.length > 0) throw errors.validation(`invalid --allow-net: ${problems.join('; ')}`);
    const grants = createGrants({ catalog, maxResponseBytes: config.runtime.maxFetchResponseBytes, maxJsonDepth: config.events.maxDepth, resolveEnv: envGrants.resolve, integrations: config.integrations })({ permissions });
    const unset = permissions.env.filter((name) => !Object.hasOwn(envGrants.resolve([name]), name));
    if (unset.length > 0) notes.push(`permissions.env: ${unset.join(', ')} not set (in the config's secrets or the environment), so not in ctx.env`);
    return sandbox.run({
      hookId: `run-hook:${fields.name}`,
      hookName: fields.name,
      hook: fields.compiled!,
      event,
      ...(fields.timeoutMs === null ? {} : { timeoutMs: fields.timeoutMs }),
      ...(fields.limits === null ? {} : { limits: fields.limits }),
      grants,
    });
  }

  // The runner itself logs the names it could not pass, as in the daemon.
  async function runCommand(fields: HookFields, event: HookEvent, names: string[]): Promise<HookOutcome> {
    commands ??= createCommandRunner({ config: config.commands, log: deps.log, envGrants, path: env.PATH, stateDir: null });
    const now = Date.now();
    const record: HookRecord = { ...fields, env: names, id: `run-hook:${fields.name}`, version: 1, consecutiveFailures: 0, createdAt: now, updatedAt: now };
    return commands.run(record, event, fields.timeoutMs ?? undefined);
  }

  // --allow-env follows the registration rule: a name no hook may get is a usage error (exit 2).
  function checkAllowEnv(names: readonly string[]): void {
    for (const name of names) {
      const why = envGrants.refuse(name);
      if (why !== undefined) throw errors.unprocessable(`--allow-env ${name}: cannot be granted to a hook: ${why}`, { option: '--allow-env', name, reason: why });
    }
  }

  function toReport(file: HookFile, fields: HookFields, event: HookEvent, outcome: HookOutcome, notes: string[]): RunHookReport {
    let status: InvocationStatus = outcome.status;
    let payload: unknown;
    if (fields.mode === 'filter' && status === 'ok') {
      // The filter chain's own rule: output the type's schema refuses is discarded.
      const judged = judgeFilterOutput(catalog, event.type, event.payload, outcome.value, payloadLimits);
      if (judged.ok) payload = judged.payload;
      else {
        status = 'invalid-output';
        outcome.error = { message: judged.message };
      }
    }
    // As the daemon keeps it: JSON data only, else invalid-result (the report is printed as JSON).
    status = keepResultAsJson(outcome, status, payloadLimits);
    const { error, value: result } = outcome;
    return {
      file: file.display,
      hook: fields.name,
      kind: file.kind,
      mode: fields.mode,
      event,
      status,
      durationMs: outcome.durationMs,
      ...(result === undefined ? {} : { result }),
      ...(payload === undefined ? {} : { payload, changed: payloadChanged(event.payload, payload) }),
      ...(error ? { error } : {}),
      logs: [...outcome.logs, ...(outcome.denials ?? []).map((d) => ({ level: 'warn' as const, message: `permission denied: ${d.message}`, at: d.at }))],
      progress: [...progress],
      ...(outcome.emitted?.length ? { emitted: outcome.emitted } : {}),
      ...(outcome.denials ? { denials: outcome.denials } : {}),
      notes,
    };
  }

  return {
    run,
    async close(): Promise<void> {
      await commands?.close();
      await sandbox.close();
      await compiler.close();
    },
  };
}

export type HookRunner = ReturnType<typeof createHookRunner>;

/** The hook's definition by the daemon's rules; throws a HookdError (exit 2) naming the file. */
async function defineHook(
  file: HookFile,
  eventType: string | undefined,
  deps: { catalog: Catalog; definitions: HookDefinitions; compiler: Compiler; maxSourceBytes: number },
): Promise<HookFields> {
  const layout = deps.catalog.get(file.folder) ? [file.folder] : undefined;
  const base = { name: file.name, mode: 'action', events: layout ?? (eventType ? [eventType] : ['*']) };
  if (file.kind === 'command') {
    let options: Record<string, unknown>;
    try {
      options = parseSidecar(await readSidecarText(file.absPath, file.display), file.display);
    } catch (err) {
      throw errors.validation((err as Error).message);
    }
    return deps.definitions.forCreate({ ...base, ...options, kind: 'command', command: [file.absPath] }, 'file', file.display);
  }
  // The same reading rules as the hooks directory's (a regular file, size first), without its root.
  const read = await readContainedFile(file.absPath, { maxBytes: deps.maxSourceBytes, limitName: 'runtime.maxSourceSize' });
  if (!read.ok) throw errors.validation(`${file.display}: ${read.message}`);
  const config = await deps.compiler.readConfig(read.text, file.display);
  if (!config.ok) throw errors.compile(file.display, config.message, config.line, config.column);
  return deps.definitions.forCreate({ ...base, ...config.config, source: read.text }, 'file', file.display);
}

function inferEventType(file: HookFile, fields: HookFields, catalog: Catalog): string {
  if (catalog.get(file.folder)) return file.folder;
  const exact = fields.events.find((pattern) => catalog.get(pattern));
  if (exact) return exact;
  throw errors.validation(`${file.display}: which event? pass --event <type> (e.g. ${fields.events[0] === '*' ? 'media.added' : fields.events[0]})`);
}

/** Hooks run only for business events of the catalog, with payloads their schema accepts. */
function checkEvent(type: string, payload: unknown, catalog: Catalog): void {
  const entry = catalog.get(type);
  if (!entry) {
    const known = catalog.list().filter((t) => t.kind === 'business' && !t.meta).map((t) => t.name);
    throw errors.validation(`unknown event type "${type}": the catalog has ${known.join(', ')}`);
  }
  if (entry.kind !== 'business' || entry.meta) throw errors.validation(`"${type}" is a ${entry.meta ? "hookd's own" : 'progress'} event type: hooks never run for it`);
  const problems = catalog.validate(type, payload);
  if (problems.length > 0) throw errors.schemaViolation(type, problems);
}
