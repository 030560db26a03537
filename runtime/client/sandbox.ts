// The daemon's side of the runtime: one sandbox-host child, the calls in flight to it, and
// its replacement when it dies (those calls end as `crashed`). run() never rejects.
import type { ChildProcess } from 'node:child_process';
import { deserialize } from 'node:v8';
import { createSentRecords } from '../channel/hook-records.ts';
import { createCoalescingSender, type CoalescingSender } from '../channel/ipc-coalesce.ts';
import { KILL_GRACE_MS } from '../host/pool.ts';
import type { HookOutcome, HookTask, HostMessage, HostRequest, HostStatus, SandboxEvent, SandboxOptions, WireOutcome } from '../protocol.ts';
import { spawnSandboxHost, ULIMIT_FAILED_EXIT } from './spawn-host.ts';

export interface SandboxStats {
  hostPid: number | undefined;
  hostStarts: number;
  inFlight: number;
  completed: number;
}

export interface Sandbox {
  start(): Promise<void>;
  run(task: HookTask): Promise<HookOutcome>;
  /**
   * A round trip to the running host that runs no hook; rejects, with the reason as message,
   * when no host is ready (starting, restarting, closed) or it does not answer within timeoutMs.
   * Never starts a host.
   */
  ping(timeoutMs: number): Promise<HostStatus>;
  close(): Promise<void>;
  stats(): SandboxStats;
}

export type CreateSandboxOptions = SandboxOptions & { onEvent?: (event: SandboxEvent) => void };

// How long past a call's own deadline the daemon waits for the host before giving up on it.
const HOST_ANSWER_GRACE_MS = 2_000;
const CLOSE_TIMEOUT_MS = 5_000;
const MAX_RESTART_DELAY_MS = 5_000;

interface Call {
  resolve(outcome: HookOutcome): void;
  timer: NodeJS.Timeout;
  started: number;
  task: HookTask;
}

function failed(status: HookOutcome['status'], message: string, started: number): HookOutcome {
  return { status, error: { name: 'Error', message }, logs: [], durationMs: Math.round((Date.now() - started) * 1000) / 1000 };
}

function toOutcome(wire: WireOutcome): HookOutcome {
  const { valueBytes, ...rest } = wire;
  if (wire.status !== 'ok') return rest;
  try {
    return { ...rest, value: valueBytes ? deserialize(valueBytes) : undefined };
  } catch (err) {
    return { ...rest, status: 'invalid-result', error: { name: 'InvalidResultError', message: `the hook's result could not be read: ${(err as Error).message}` } };
  }
}

// Below this, Node itself may not start under the rlimit (600 MB was checked to work).
const MIN_MEMORY_BUDGET_MB = 256;

export function createSandbox(opts: CreateSandboxOptions): Sandbox {
  const { onEvent, ...options } = opts;
  if (!(options.memoryBudgetMb >= MIN_MEMORY_BUDGET_MB)) {
    throw new RangeError(`memoryBudgetMb is ${options.memoryBudgetMb}: the sandbox host needs at least ${MIN_MEMORY_BUDGET_MB} MB; size it above maxThreads x the profiles' heaps plus ~150 MB`);
  }
  if (!options.profiles.default) throw new RangeError('sandbox options need a "default" limit profile');
  const calls = new Map<number, Call>();
  let host: ChildProcess | undefined;
  let ready: Promise<ChildProcess> | undefined;
  // The host that said `ready` and has not exited: only it is pinged.
  let answering: ChildProcess | undefined;
  const pings = new Map<number, { resolve(status: HostStatus): void; reject(err: Error): void; timer: NodeJS.Timeout }>();
  // Both belong to the current host: a new host starts with an empty channel and no records.
  let outbox: CoalescingSender<HostRequest> | undefined;
  const sentRecords = createSentRecords();
  let closing = false;
  let nextId = 1;
  let hostStarts = 0;
  let completed = 0;
  let quickDeaths = 0;
  let pendingRestart: { timer: NodeJS.Timeout; reject(err: Error): void } | undefined;

  function emit(event: SandboxEvent): void {
    try {
      onEvent?.(event);
    } catch {
      // a listener's bug must not take the sandbox down
    }
  }

  function finish(id: number, outcome: HookOutcome): void {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    clearTimeout(call.timer);
    completed += 1;
    call.resolve(outcome);
  }

  function sendRun(id: number, task: HookTask, withRecord: boolean): void {
    if (!outbox) {
      finish(id, failed('crashed', 'the sandbox host went away before the call was sent', calls.get(id)?.started ?? Date.now()));
      return;
    }
    outbox.send({ t: 'run', id, task: { ...task, hook: sentRecords.refFor(task.hook, withRecord) } });
  }

  function settlePing(id: number, outcome: { status: HostStatus } | { error: Error }): void {
    const ping = pings.get(id);
    if (!ping) return;
    pings.delete(id);
    clearTimeout(ping.timer);
    if ('status' in outcome) ping.resolve(outcome.status);
    else ping.reject(outcome.error);
  }

  function onMessage(message: HostMessage): void {
    switch (message.t) {
      case 'outcome': finish(message.id, toOutcome(message.outcome)); break;
      case 'pong': settlePing(message.id, { status: message.status }); break;
      case 'event': emit(message.event); break;
      case 'many': for (const one of message.messages) onMessage(one); break;
      case 'miss': {
        const call = calls.get(message.id);
        if (call) sendRun(message.id, call.task, true);
        break;
      }
      default: break;
    }
  }

  function failSent(requests: HostRequest[], err: unknown): void {
    for (const request of requests) {
      if (request.t === 'run') {
        const started = calls.get(request.id)?.started ?? Date.now();
        finish(request.id, failed('crashed', `could not send the call to the sandbox host: ${(err as Error).message}`, started));
      } else if (request.t === 'ping') {
        settlePing(request.id, { error: new Error(`sandbox host unreachable: ${(err as Error).message}`) });
      }
    }
  }

  function launch(): Promise<ChildProcess> {
    hostStarts += 1;
    const startedAt = Date.now();
    const child = spawnSandboxHost({ memoryBudgetMb: options.memoryBudgetMb });
    host = child;
    sentRecords.reset();
    outbox = createCoalescingSender<HostRequest>({
      write: (message) => {
        if (child.connected) child.send(message);
        else throw new Error('the channel to the sandbox host is closed');
      },
      wrap: (requests) => ({ t: 'many', requests }),
      schedule: process.nextTick,
      onError: failSent,
    });
    const whenReady = new Promise<ChildProcess>((resolve, reject) => {
      child.on('message', (message: HostMessage) => {
        if (message.t === 'ready') {
          if (host === child) answering = child;
          emit({ type: 'host.ready', pid: child.pid ?? -1, at: new Date().toISOString() });
          resolve(child);
        } else onMessage(message);
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        const why = code === ULIMIT_FAILED_EXIT ? 'could not set its memory rlimit' : `exited (code ${code}, signal ${signal})`;
        reject(new Error(`the sandbox host ${why} before it was ready`));
        onExit(child, code, signal, Date.now() - startedAt);
      });
    });
    const request: HostRequest = { t: 'init', options };
    child.send(request);
    whenReady.catch(() => {}); // observed by whoever awaits `ready`
    return whenReady;
  }

  function onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, livedMs: number): void {
    if (host !== child) return;
    host = undefined;
    ready = undefined;
    outbox = undefined;
    answering = undefined;
    for (const id of [...pings.keys()]) settlePing(id, { error: new Error(`sandbox host exited (code ${code}, signal ${signal}); it is being restarted`) });
    emit({ type: 'host.exit', pid: child.pid ?? -1, code, signal, inFlight: calls.size, expected: closing, at: new Date().toISOString() });
    const why = closing
      ? 'the sandbox was closed during the call'
      : `the sandbox host died (code ${code}, signal ${signal}) during the call; it is being restarted`;
    for (const [id, call] of calls) finish(id, failed('crashed', why, call.started));
    if (closing) return;
    // A host that keeps dying at birth is restarted with backoff, not in a tight loop.
    quickDeaths = livedMs < 2_000 ? quickDeaths + 1 : 0;
    const delay = quickDeaths === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** quickDeaths);
    const restart = new Promise<ChildProcess>((resolve, reject) => {
      const timer = setTimeout(() => {
        pendingRestart = undefined;
        launch().then(resolve, reject);
      }, delay);
      pendingRestart = { timer, reject };
    });
    restart.catch(() => {}); // observed by whoever awaits `ready`
    ready = restart;
  }

  async function ensureHost(): Promise<ChildProcess> {
    if (closing) throw new Error('the sandbox is closed');
    ready ??= launch();
    return ready;
  }

  async function run(task: HookTask): Promise<HookOutcome> {
    const started = Date.now();
    try {
      await ensureHost();
    } catch (err) {
      return failed('crashed', `the sandbox host is not available: ${(err as Error).message}`, started);
    }
    const id = nextId++;
    const timeoutMs = task.timeoutMs ?? options.defaultTimeoutMs;
    return new Promise<HookOutcome>((resolve) => {
      // Backstop only: the host answers timeouts itself; this covers a host that stopped answering.
      const timer = setTimeout(() => {
        finish(id, failed('timeout', `the sandbox host did not answer within ${timeoutMs} ms (+ grace)`, started));
      }, timeoutMs + KILL_GRACE_MS + HOST_ANSWER_GRACE_MS);
      timer.unref();
      calls.set(id, { resolve, timer, started, task });
      sendRun(id, task, false);
    });
  }

  function ping(timeoutMs: number): Promise<HostStatus> {
    if (closing) return Promise.reject(new Error('sandbox is closed'));
    if (!answering || !outbox) {
      return Promise.reject(new Error(host ? 'sandbox host is starting' : 'sandbox host is not running: it is being restarted'));
    }
    const id = nextId++;
    const sending = outbox;
    return new Promise<HostStatus>((resolve, reject) => {
      const timer = setTimeout(() => settlePing(id, { error: new Error(`sandbox host did not answer a ping within ${timeoutMs} ms`) }), timeoutMs);
      timer.unref();
      pings.set(id, { resolve, reject, timer });
      sending.send({ t: 'ping', id });
    });
  }

  async function close(): Promise<void> {
    closing = true;
    if (pendingRestart) {
      clearTimeout(pendingRestart.timer);
      pendingRestart.reject(new Error('the sandbox is closed'));
      pendingRestart = undefined;
    }
    const child = host;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const request: HostRequest = { t: 'close' };
    outbox?.flush(); // calls queued this turn reach the host before it closes
    if (child.connected) child.send(request);
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  return {
    async start() {
      await ensureHost();
    },
    run,
    ping,
    close,
    stats: () => ({ hostPid: host?.pid, hostStarts, inFlight: calls.size, completed }),
  };
}
