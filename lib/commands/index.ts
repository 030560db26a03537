// Command hooks: external programs as hooks. createCommandRunner gives dispatch its `runCommand`
// (bounded concurrency, env built from nothing, output redacted, a fresh cwd per run, every
// process it starts contained and ended with the run, optionally as another user) and
// `checkCommand`.
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CommandsConfig } from '../config/index.ts';
import type { HookRecord } from '../db/hooks-store.ts';
import type { EnvGrants } from '../env-grants.ts';
import { createLimiter } from '../limiter.ts';
import type { Logger } from '../log.ts';
import { createRedactor, type HookEvent, type HookOutcome, type LogLine } from '../../runtime/index.ts';
import { arrScriptVars } from './arr-script.ts';
import { buildCommandEnv } from './build-env.ts';
import { checkProgram, findStartProblem } from './check-program.ts';
import { createContainment, detectTracking, type ContainedRun } from './containment.ts';
import { reapLeftovers } from './reap-leftovers.ts';
import { resolveRunAs } from './run-as.ts';
import { runCommand } from './run-command.ts';

export { buildCommandEnv, flattenPayload, toUpperSnake, PAYLOAD_PREFIX } from './build-env.ts';
export { checkProgram } from './check-program.ts';
export { parseSidecar, readSidecarText, sidecarPath } from './sidecar.ts';
export type { TrackingChoice } from './containment.ts';

export interface CommandRunnerDeps {
  config: CommandsConfig;
  log: Logger;
  /** The one env rule: values for the names in a hook's `env`, and the daemon's credentials. */
  envGrants: Pick<EnvGrants, 'resolve' | 'credentials'>;
  /** The PATH programs get; the daemon passes its own. */
  path?: string;
  /**
   * Where running commands are recorded (<dataDir>/command-runs), so that the next start ends
   * what a crashed daemon left; none for one-off runs (the CLI).
   */
  stateDir?: string | null;
}

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * Throws a CONFIG error when commands.user/group cannot be used or commands.tracking "cgroup"
 * is not available: checked here, at start, not at the first run.
 */
export function createCommandRunner(deps: CommandRunnerDeps) {
  const { config } = deps;
  // `?? null` / `?? 'auto'`: a config object built in code before these keys existed keeps working.
  const runAs = resolveRunAs({ user: config.user ?? null, group: config.group ?? null, cwd: config.cwd });
  const tracking = detectTracking(config.tracking ?? 'auto');
  const stateDir = deps.stateDir ?? null;
  const containment = createContainment({ tracking, stateDir, log: deps.log });
  const limiter = createLimiter(config.concurrency);
  const stopping = new AbortController();
  const inFlight = new Set<Promise<HookOutcome>>();

  function note(level: LogLine['level'], message: string): LogLine {
    return { level, message, at: new Date().toISOString() };
  }

  async function runInSlot(hook: HookRecord, event: HookEvent, argv: string[], arr: { vars: Record<string, string>; omitted: string[] } | undefined, started: number, timeoutMs: number): Promise<HookOutcome> {
    const deadline = started + timeoutMs;
    const elapsed = () => Math.round(performance.now() - started);
    if (stopping.signal.aborted) return { status: 'error', error: { message: 'hookd is shutting down: the command did not start' }, logs: [], durationMs: elapsed() };
    const remaining = Math.floor(deadline - performance.now());
    if (remaining <= 0) {
      const message = `timed out after ${elapsed()} ms waiting for a free command slot (config commands.concurrency: ${config.concurrency}); the program did not start`;
      return { status: 'timeout', error: { message }, logs: [], durationMs: elapsed() };
    }
    const unstartable = await findStartProblem(argv[0]!);
    if (unstartable) {
      return { status: 'error', error: { message: `could not start "${argv[0]}": it ${unstartable.problem} (${unstartable.code})` }, logs: [], durationMs: elapsed() };
    }
    const named = deps.envGrants.resolve(hook.env);
    const notes: LogLine[] = [];
    const unresolved = hook.env.filter((name) => !Object.hasOwn(named, name));
    if (arr && arr.omitted.length > 0) notes.push(note('warn', `${hook.arrScript} variables left out (a NUL byte, or too long for an environment): ${arr.omitted.join(', ')}`));
    if (unresolved.length > 0) notes.push(note('warn', `env not passed (unset, or never given to a hook: HOOKD_* names, malformed names, hookd's credentials): ${unresolved.join(', ')}`));
    // What the program was given and what it might find anyway (a same-user /proc read) is
    // redacted from everything it prints.
    const redact = createRedactor([...Object.values(named), ...deps.envGrants.credentials]);
    const { env, omitted } = buildCommandEnv({
      event,
      hookName: hook.name,
      path: deps.path ?? DEFAULT_PATH,
      named,
      ...(arr ? { app: arr.vars } : {}),
      limits: { maxVars: config.maxPayloadVars, maxValueBytes: config.maxPayloadValueBytes },
    });
    if (omitted > 0) notes.push(note('debug', `${omitted} payload values left out of HOOKD_PAYLOAD_* (name collision, NUL byte, too long or too many): read them from stdin`));
    const cwd = config.cwd ?? (await makeRunDir());
    try {
      let run: ContainedRun;
      try {
        run = containment.begin([...(runAs?.prefix ?? []), ...argv], env);
      } catch (err) {
        deps.log.error({ err, hookId: hook.id }, 'could not set up a command run\'s containment');
        return { status: 'error', error: { message: `could not start "${argv[0]}": its processes cannot be tracked (${(err as Error).message})` }, logs: notes, durationMs: elapsed() };
      }
      const result = await runCommand({
        argv,
        run,
        env: run.env,
        input: `${JSON.stringify(event)}\n`,
        cwd,
        timeoutMs: remaining,
        requestedTimeoutMs: timeoutMs,
        killGraceMs: config.killGraceMs,
        maxOutputBytes: config.maxOutputBytes,
        maxOutputLines: config.maxOutputLines,
        redact,
        signal: stopping.signal,
      });
      return { ...result, logs: [...notes, ...result.logs], durationMs: elapsed() };
    } finally {
      if (config.cwd === null) {
        await rm(cwd, { recursive: true, force: true }).catch((err: unknown) => deps.log.warn({ err, cwd }, 'could not remove a command hook\'s temp dir'));
      }
    }
  }

  // A fresh directory per run, given to commands.user when set (0700: no other user sees it).
  async function makeRunDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'hookd-cmd-'));
    if (runAs) await chown(dir, runAs.uid, runAs.gid).catch(async (err: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw err;
    });
    return dir;
  }

  return {
    /** How runs are tracked (`cgroup` or `proc`) and why, and who programs run as: for the start log. */
    describe: () => ({ tracking: tracking.mode, ...(tracking.mode === 'proc' ? { why: tracking.reason } : {}), user: runAs?.label ?? null }),
    /** Ends what a crashed daemon's runs left running (from stateDir); call at start, before any run. */
    async start(): Promise<void> {
      if (stateDir !== null) await reapLeftovers({ stateDir, log: deps.log });
    },
    /** Runs a command hook; never throws. The deadline counts from the call, waiting for a slot included. */
    run(hook: HookRecord, event: HookEvent, timeoutMs: number | undefined): Promise<HookOutcome> {
      const started = performance.now();
      const argv = hook.command;
      if (!argv || argv.length === 0) {
        return Promise.resolve({ status: 'error', error: { message: hook.disabledReason ?? 'the command hook has no command' }, logs: [], durationMs: 0 });
      }
      if (stopping.signal.aborted) {
        return Promise.resolve({ status: 'error', error: { message: 'hookd is shutting down: the command did not start' }, logs: [], durationMs: 0 });
      }
      const arr = hook.arrScript ? arrScriptVars(hook.arrScript, event) : undefined;
      // Not an error: the app would not have run its script either. The invocation says why.
      if (arr && !arr.run) {
        if (arr.failed) return Promise.resolve({ status: 'error', error: { message: arr.reason }, logs: [], durationMs: 0 });
        return Promise.resolve({ status: 'ok', logs: [note('info', arr.reason)], durationMs: 0 });
      }
      const call = limiter
        .run(() => runInSlot(hook, event, argv, arr, started, timeoutMs ?? config.timeoutMs))
        .catch((err: unknown): HookOutcome => {
          deps.log.error({ err, hookId: hook.id }, 'command hook run failed unexpectedly');
          return { status: 'error', error: { message: `the command could not be run: ${(err as Error).message}` }, logs: [], durationMs: Math.round(performance.now() - started) };
        })
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
      return call;
    },
    /** checkCommand for hook definitions: throws an UNPROCESSABLE HookdError (422). */
    check: (argv: string[]) => checkProgram(argv),
    /** Ends running programs (their groups get SIGTERM, then SIGKILL) and waits for them. */
    async close(): Promise<void> {
      stopping.abort();
      await Promise.all(inFlight);
      await containment.close();
    },
  };
}

export type CommandRunner = ReturnType<typeof createCommandRunner>;
