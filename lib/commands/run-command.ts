// Runs one program once with execa: argv only (never a shell), the given environment and no
// other, the event on stdin, capped and redacted output, and a deadline enforced on every process
// it started. Side effect: child processes, all gone (whatever setsid they did) when the returned
// promise settles.
import { execa } from 'execa';
import type { HookOutcome, Redactor } from '../../runtime/index.ts';
import type { ContainedRun } from './containment.ts';
import { JOIN_FAILED_EXIT } from './cgroup.ts';
import { createOutputCapture } from './output-capture.ts';

export interface RunCommandInput {
  /** The program and its arguments, as the hook gives them (for messages). */
  argv: readonly string[];
  /** Where the run's processes are tracked; what is actually spawned is `run.argv`. */
  run: ContainedRun;
  env: Record<string, string>;
  /** Written to stdin; a program that does not read it is fine (EPIPE is ignored). */
  input: string;
  cwd: string;
  /** What is left of the deadline when the program starts. */
  timeoutMs: number;
  /** The deadline as the caller gave it (waiting for a slot counts against it), for the message. */
  requestedTimeoutMs?: number;
  killGraceMs: number;
  maxOutputBytes: number;
  maxOutputLines: number;
  /** The values of the variables it was given and the daemon's credentials; none when absent. */
  redact?: Redactor;
  /** Aborting (the daemon stops) ends the program as a timeout does. */
  signal?: AbortSignal;
}

export type CommandResult = Pick<HookOutcome, 'status' | 'value' | 'error' | 'logs' | 'logsTruncated'>;

export async function runCommand(input: RunCommandInput): Promise<CommandResult> {
  let result: CommandResult;
  try {
    result = await runContained(input);
  } finally {
    await input.run.end();
  }
  // What it printed was redacted line by line; error messages and the result are redacted here,
  // before anything reaches a record, a notice, a webhook or a log.
  const { redact } = input;
  if (!redact) return result;
  if (result.error) result.error = { ...result.error, message: redact.text(result.error.message) };
  if (result.value !== undefined) result.value = redact.value(result.value);
  return result;
}

async function runContained(input: RunCommandInput): Promise<CommandResult> {
  const capture = createOutputCapture({ maxBytes: input.maxOutputBytes, maxLines: input.maxOutputLines, redact: input.redact });
  const { run } = input;
  const program = input.argv[0]!;
  const [file, ...args] = run.argv as [string, ...string[]];
  const child = execa(file, args, {
    shell: false,
    // Its own session and process group (the process-table mode signals the group).
    detached: true,
    extendEnv: false,
    env: input.env,
    cwd: input.cwd,
    input: input.input,
    stdout: 'pipe',
    stderr: 'pipe',
    // We read the streams ourselves (capped); execa's maxBuffer would kill the run instead.
    buffer: false,
    reject: false,
    cleanup: false,
  });
  // Before the event loop runs again: until then the pid cannot have been reaped and reused.
  if (child.pid !== undefined) run.started(child.pid);
  child.stdout?.on('data', capture.stdout);
  child.stderr?.on('data', capture.stderr);

  let stopped: 'timeout' | 'aborted' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let streamGuard: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'aborted') => {
    if (stopped || exit || child.pid === undefined) return;
    stopped = why;
    run.signal('SIGTERM');
    killTimer = setTimeout(() => run.signal('SIGKILL'), input.killGraceMs);
  };
  const timer = setTimeout(() => stop('timeout'), input.timeoutMs);
  const onAbort = () => stop('aborted');
  input.signal?.addEventListener('abort', onAbort, { once: true });
  if (input.signal?.aborted) onAbort();

  child.once('exit', (code, signal) => {
    exit = { code, signal };
    clearTimeout(timer);
    clearTimeout(killTimer);
    // The program is done, so is everything it started: background children (`sleep 1000 &`,
    // a setsid daemon) would otherwise outlive the hook and, holding stdout, keep the run open.
    run.kill();
    // A process the containment cannot reach (one that left the cgroup as root) may still
    // hold the pipes: stop waiting for them.
    streamGuard = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, input.killGraceMs);
  });

  const result = await child;
  clearTimeout(timer);
  clearTimeout(streamGuard);
  clearTimeout(killTimer);
  input.signal?.removeEventListener('abort', onAbort);
  const out = capture.finish();
  const base = { logs: out.logs, logsTruncated: out.truncated || undefined };
  const tail = out.stderrTail ? `: ${out.stderrTail}` : '';

  if (!exit) {
    const code = (result as { code?: string }).code;
    const why = code === 'ENOENT' ? 'it (or the working directory) does not exist' : code === 'EACCES' ? 'it is not executable' : (result.originalMessage ?? result.message);
    return { ...base, status: 'error', error: { message: `could not start "${program}": ${why}${code ? ` (${code})` : ''}` } };
  }
  if (stopped) {
    const ended = `its process group got SIGTERM, as did every process it started, then SIGKILL after ${input.killGraceMs} ms if still running`;
    if (stopped === 'aborted') return { ...base, status: 'error', error: { message: `stopped because hookd is shutting down; ${ended}` } };
    return { ...base, status: 'timeout', error: { message: `timed out after ${input.requestedTimeoutMs ?? input.timeoutMs} ms; ${ended}` } };
  }
  if (exit.code === JOIN_FAILED_EXIT && /^hookd-command: .*cgroup\.procs/m.test(out.stderrTail)) {
    return { ...base, status: 'error', error: { message: `could not start "${program}": it could not be put in its cgroup${tail}` } };
  }
  if (exit.code !== 0) {
    const how = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return { ...base, status: 'error', error: { message: `${how}${tail}` } };
  }
  return { ...base, status: 'ok', value: out.stdoutComplete ? parseResult(out.stdout) : undefined };
}

/** stdout that is one JSON document is the hook's result; anything else is only log output. */
function parseResult(stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
