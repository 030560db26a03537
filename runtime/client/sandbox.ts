// The daemon's side of the runtime: one sandbox-host child, the calls in flight to it, and
// its replacement when it dies (those calls end as `crashed`). run() never rejects.
import type { ChildProcess } from 'node:child_process';
import { createSentRecords } from '../channel/hook-records.ts';
import { createCoalescingSender, type CoalescingSender } from '../channel/ipc-coalesce.ts';
import { toOutcome } from '../channel/wire-outcome.ts';
import { KILL_GRACE_MS } from '../host/kill-grace.ts';
import type { ChainOutcome, ChainTask, HookOutcome, HookTask, HostMessage, HostRequest, HostStatus, SandboxEvent, SandboxOptions, WireChain } from '../protocol.ts';
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
   * A filter chain of module hooks in one crossing to the host (see ChainTask). Never rejects:
   * when the host dies or stops answering during the chain, every step ends with that failure
   * and the payload is the chain's input.
   */
  runChain(chain: ChainTask): Promise<ChainOutcome>;
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

/** A call or a chain in flight to the host. */
interface Call {
  resolve(answer: HookOutcome | ChainOutcome): void;
  timer: NodeJS.Timeout;
  started: number;
  /** Puts the request on the wire; `withRecords` after a `miss`. */
  send(withRecords: boolean): void;
  /** What the caller gets when the call fails before the host answers. */
  failure(outcome: HookOutcome): HookOutcome | ChainOutcome;
}

function failed(status: HookOutcome['status'], message: string, started: number): HookOutcome {
  return { status, error: { name: 'Error', message }, logs: [], durationMs: Math.round((Date.now() - started) * 1000) / 1000 };
}

/** A chain that failed as a whole: each step gets the failure, the payload stays the input. */
function failedChain(chain: ChainTask, outcome: HookOutcome): ChainOutcome {
  return { payload: chain.event.payload, steps: chain.steps.map(() => ({ status: outcome.status, outcome: { ...outcome, logs: [] } })) };
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
  // Payload schemas sent to the current host, by key; keys are per schema object, for this daemon's life.
  let sentSchemas = new Set<string>();
  const schemaKeys = new WeakMap<object, string>();
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

  function finish(id: number, answer: HookOutcome | ChainOutcome): void {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    clearTimeout(call.timer);
    completed += 1;
    call.resolve(answer);
  }

  function fail(id: number, status: HookOutcome['status'], message: string): void {
    const call = calls.get(id);
    if (call) finish(id, call.failure(failed(status, message, call.started)));
  }

  function sendRun(id: number, task: HookTask, withRecord: boolean): void {
    if (!outbox) return fail(id, 'crashed', 'the sandbox host went away before the call was sent');
    outbox.send({ t: 'run', id, task: { ...task, hook: sentRecords.refFor(task.hook, withRecord) } });
  }

  function schemaRef(schema: object | boolean | undefined, force: boolean): WireChain['schema'] {
    if (schema === undefined || schema === true) return undefined; // accepts every payload
    let key = typeof schema === 'boolean' ? 'false' : schemaKeys.get(schema);
    if (key === undefined) schemaKeys.set(schema as object, (key = `s${nextId++}`));
    if (!force && sentSchemas.has(key)) return { key };
    sentSchemas.add(key);
    return { key, schema };
  }

  function sendChain(id: number, chain: ChainTask, withRecords: boolean): void {
    if (!outbox) return fail(id, 'crashed', 'the sandbox host went away before the chain was sent');
    const { steps, schema, ...rest } = chain;
    const wire: WireChain = { ...rest, steps: steps.map((step) => ({ ...step, hook: sentRecords.refFor(step.hook, withRecords) })) };
    const ref = schemaRef(schema, withRecords);
    if (ref) wire.schema = ref;
    outbox.send({ t: 'chain', id, chain: wire });
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
      case 'chain-outcome': finish(message.id, message.outcome); break;
      case 'pong': settlePing(message.id, { status: message.status }); break;
      case 'event': emit(message.event); break;
      case 'many': for (const one of message.messages) onMessage(one); break;
      case 'miss': calls.get(message.id)?.send(true); break;
      default: break;
    }
  }

  function failSent(requests: HostRequest[], err: unknown): void {
    for (const request of requests) {
      if (request.t === 'run' || request.t === 'chain') {
        fail(request.id, 'crashed', `could not send the call to the sandbox host: ${(err as Error).message}`);
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
    sentSchemas = new Set();
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
    for (const id of [...calls.keys()]) fail(id, 'crashed', why);
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

  /** Starts a call: `timeoutMs` is how long the host has to answer (before the grace). */
  async function call<T extends HookOutcome | ChainOutcome>(
    timeoutMs: number,
    send: (id: number, withRecords: boolean) => void,
    failure: (outcome: HookOutcome) => T,
  ): Promise<T> {
    const started = Date.now();
    try {
      await ensureHost();
    } catch (err) {
      return failure(failed('crashed', `the sandbox host is not available: ${(err as Error).message}`, started));
    }
    const id = nextId++;
    return new Promise<T>((resolve) => {
      // Backstop only: the host answers timeouts itself; this covers a host that stopped answering.
      const timer = setTimeout(() => fail(id, 'timeout', `the sandbox host did not answer within ${timeoutMs} ms (+ grace)`), timeoutMs + KILL_GRACE_MS + HOST_ANSWER_GRACE_MS);
      timer.unref();
      calls.set(id, { resolve: resolve as (answer: HookOutcome | ChainOutcome) => void, timer, started, send: (withRecords) => send(id, withRecords), failure });
      send(id, false);
    });
  }

  function run(task: HookTask): Promise<HookOutcome> {
    return call(task.timeoutMs ?? options.defaultTimeoutMs, (id, withRecord) => sendRun(id, task, withRecord), (outcome) => outcome);
  }

  function runChain(chain: ChainTask): Promise<ChainOutcome> {
    if (chain.steps.length === 0) return Promise.resolve({ payload: chain.event.payload, steps: [] });
    // The last step may start just before the deadline and run its own full timeout.
    const longest = Math.max(...chain.steps.map((s) => s.timeoutMs ?? options.defaultTimeoutMs));
    const timeoutMs = Math.max(0, chain.deadline - Date.now()) + longest;
    return call(timeoutMs, (id, withRecords) => sendChain(id, chain, withRecords), (outcome) => failedChain(chain, outcome));
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
    runChain,
    ping,
    close,
    stats: () => ({ hostPid: host?.pid, hostStarts, inFlight: calls.size, completed }),
  };
}
