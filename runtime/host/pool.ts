// Piscina pools inside the sandbox host, one per limit profile (V8 heap and stack limits per
// worker), with the per-call deadline and the classification of every way a call can end
// into one outcome. Pools for profiles other than 'default' start on first use.
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import type { HookTask, SandboxEvent, SandboxOptions, WireOutcome, WorkerEventMessage, WorkerReplaceMessage, WorkerReply, WorkerTask } from '../protocol.ts';
import { loaderExecArgv, WORKER_ENTRY } from '../client/entry-points.ts';
import { openAppChannel, splitAppGrants } from './app-requests.ts';
import { KILL_GRACE_MS } from './kill-grace.ts';

// A call's events were posted before its reply, so they are already queued when it arrives;
// this only bounds the wait if that ever stops being true.
const EVENT_WAIT_MS = 1_000;


/** Hook versions remembered per pool as sent (see `ranIn`). */
const RAN_ENTRIES = 512;

/**
 * The smallest signal piscina accepts (it calls addEventListener/removeEventListener and reads
 * `aborted`). A Node AbortController per call cost about 40 us here, more than the hook call.
 */
function createDeadlineSignal() {
  let listener: (() => void) | undefined;
  const signal = {
    aborted: false,
    reason: undefined,
    addEventListener(_type: 'abort', fn: () => void) {
      listener = fn;
    },
    removeEventListener() {
      listener = undefined;
    },
  };
  return {
    signal,
    abort() {
      signal.aborted = true;
      listener?.();
    },
  };
}

export interface Pools {
  start(): Promise<void>;
  run(task: HookTask): Promise<WireOutcome>;
  close(): Promise<void>;
  stats(): { pools: Record<string, { threads: number; queued: number; completed: number }> };
}

function outcomeOf(status: WireOutcome['status'], message: string, durationMs: number): WireOutcome {
  const name = status === 'timeout' ? 'TimeoutError' : status === 'oom' ? 'OutOfMemoryError' : 'Error';
  return { status, error: { name, message }, logs: [], durationMs };
}

function classifyFailure(err: unknown, timedOut: boolean, timeoutMs: number, durationMs: number): WireOutcome {
  if (timedOut) return outcomeOf('timeout', `the hook did not finish within ${timeoutMs} ms`, durationMs);
  const { code, message } = err as { code?: string; message?: string };
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return outcomeOf('oom', `the hook ran out of memory: ${message ?? 'heap limit reached'}; give it the 'large' limit profile if it needs more`, durationMs);
  }
  return outcomeOf('crashed', `the hook's worker died: ${message ?? String(err)}`, durationMs);
}

export function createPools(deps: { options: SandboxOptions; onEvent: (event: SandboxEvent) => void }): Pools {
  const { options } = deps;
  const pools = new Map<string, Piscina<WorkerTask, WorkerReply>>();
  let nextCallId = 1;
  let closed = false;
  // callId -> events received from its worker, for calls in flight. Events and replies travel on
  // different ports, so an outcome waits until all the events its reply counts were forwarded.
  const received = new Map<number, number>();
  const waiting = new Map<number, { expected: number; done(): void }>();
  // Calls in flight -> their deadline timer, which ends the task early (and terminates its worker).
  const deadlines = new Map<number, NodeJS.Timeout>();
  // Replies of workers that are leaving (over their memory bound), until their call returns.
  const replacing = new Map<number, WorkerReply>();
  // Profile name -> its bound on a worker's external (ArrayBuffer) memory, in bytes.
  const externalBytes = new Map<string, number>();
  // Profile name -> the hook versions run in that pool: their tasks go without the record,
  // which a worker that has no instance of it asks for (`miss`). Bounded: forgetting costs a record.
  const ranIn = new Map<string, Set<string>>();

  function onWorkerMessage(message: unknown): void {
    const { hookdReplace, callId: replaceId } = (message ?? {}) as Partial<WorkerReplaceMessage>;
    if (hookdReplace && replaceId !== undefined && deadlines.has(replaceId)) {
      replacing.set(replaceId, hookdReplace);
      // The worker exits by itself, and piscina fails the task and replaces the worker only once
      // its memory is freed. An abort now would start the replacement beside that memory, which
      // under the host's RLIMIT_DATA can abort the whole host (worker.ts, replaceThisWorker).
      clearTimeout(deadlines.get(replaceId));
      return;
    }
    const { hookdEvent, callId } = (message ?? {}) as Partial<WorkerEventMessage>;
    if (!hookdEvent || callId === undefined || !received.has(callId)) return; // late: its call is over
    deps.onEvent(hookdEvent);
    const count = (received.get(callId) as number) + 1;
    received.set(callId, count);
    const waiter = waiting.get(callId);
    if (waiter && count >= waiter.expected) waiter.done();
  }

  function eventsForwarded(callId: number, expected: number): Promise<void> | undefined {
    if ((received.get(callId) ?? 0) >= expected) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, EVENT_WAIT_MS);
      function done(): void {
        clearTimeout(timer);
        waiting.delete(callId);
        resolve();
      }
      waiting.set(callId, { expected, done });
    });
  }

  function getPool(profileName: string): Piscina<WorkerTask, WorkerReply> | undefined {
    let pool = pools.get(profileName);
    if (pool) return pool;
    // Own names only: a task's "constructor" or "__proto__" is not a profile.
    const profile = Object.hasOwn(options.profiles, profileName) ? options.profiles[profileName] : undefined;
    if (!profile || closed) return undefined;
    pool = new Piscina<WorkerTask, WorkerReply>({
      name: 'default',
      filename: WORKER_ENTRY,
      minThreads: Math.min(options.minThreads, options.maxThreads),
      maxThreads: options.maxThreads,
      idleTimeout: options.idleTimeoutMs,
      execArgv: loaderExecArgv(),
      resourceLimits: {
        maxOldGenerationSizeMb: profile.maxOldGenerationSizeMb,
        maxYoungGenerationSizeMb: profile.maxYoungGenerationSizeMb,
        stackSizeMb: profile.stackSizeMb,
      },
    });
    // A worker that dies between tasks is replaced by piscina; nobody is waiting on it.
    pool.on('error', () => {});
    pool.on('message', onWorkerMessage);
    pools.set(profileName, pool);
    externalBytes.set(profileName, (profile.maxExternalMb ?? profile.maxOldGenerationSizeMb) * 1024 * 1024);
    return pool;
  }

  async function run(task: HookTask): Promise<WireOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
    const profileName = task.limits ?? 'default';
    const pool = getPool(profileName);
    if (!pool) {
      const known = Object.keys(options.profiles).join(', ');
      return outcomeOf('error', closed ? 'the sandbox is closed' : `unknown limit profile "${profileName}": use one of ${known}`, 0);
    }
    const timeoutMs = task.timeoutMs ?? options.defaultTimeoutMs;
    const callId = nextCallId++;
    // API keys stay here: the worker gets the app names and a port to ask us for requests.
    const apps = splitAppGrants(task.grants ?? {});
    const ran = ranIn.get(profileName) ?? ranIn.set(profileName, new Set()).get(profileName)!;
    const versionKey = `${task.hookId}\0${task.hook.hash}\0${task.hook.filename}`;
    const workerTask: WorkerTask = {
      callId,
      hookId: task.hookId,
      hookName: task.hookName,
      hook: task.hook,
      event: task.event,
      grants: apps.grants,
      deadline: Date.now() + timeoutMs,
      maxResultBytes: options.maxResultBytes,
      maxLogBytes: options.maxLogBytes,
      maxLogLines: options.maxLogLines,
      profile: profileName,
      maxExternalBytes: externalBytes.get(profileName)!,
    };
    const channel = apps.endpoints ? openAppChannel({ endpoints: apps.endpoints, maxResponseBytes: apps.maxResponseBytes, deadline: workerTask.deadline }) : undefined;
    if (channel) workerTask.appsPort = channel.port;
    // A transferred port cannot be sent twice: a call with one always carries its record.
    else if (ran.has(versionKey)) workerTask.hook = { hash: task.hook.hash, filename: task.hook.filename };
    const deadline = createDeadlineSignal();
    const timer = setTimeout(deadline.abort, timeoutMs + KILL_GRACE_MS);
    received.set(callId, 0);
    deadlines.set(callId, timer);
    const answer = async (reply: WorkerReply): Promise<WireOutcome> => {
      if (reply.status === 'miss') return outcomeOf('crashed', 'the hook\'s worker had no record of it even when sent one', elapsed());
      if (reply.posted > 0) await eventsForwarded(callId, reply.posted);
      const outcome: WireOutcome = { status: reply.status, logs: reply.logs, durationMs: elapsed() };
      if (reply.valueBytes) outcome.valueBytes = reply.valueBytes;
      if (reply.error) outcome.error = reply.error;
      if (reply.logsTruncated) outcome.logsTruncated = true;
      if (reply.emitted) outcome.emitted = reply.emitted;
      if (reply.denials) outcome.denials = reply.denials;
      return outcome;
    };
    try {
      const runOptions = channel ? { signal: deadline.signal, transferList: [channel.port] } : { signal: deadline.signal };
      let reply = await pool.run(workerTask, runOptions);
      if (reply.status === 'miss') {
        workerTask.hook = task.hook;
        reply = await pool.run(workerTask, runOptions);
      }
      if (ran.size >= RAN_ENTRIES) ran.clear();
      ran.add(versionKey);
      return await answer(reply);
    } catch (err) {
      // Its worker left to free its memory: the reply it sent first is the outcome.
      const replaced = replacing.get(callId);
      if (replaced) return await answer(replaced);
      return classifyFailure(err, deadline.signal.aborted, timeoutMs, elapsed());
    } finally {
      clearTimeout(timer);
      channel?.close();
      received.delete(callId);
      deadlines.delete(callId);
      replacing.delete(callId);
    }
  }

  return {
    async start() {
      const pool = getPool('default');
      if (!pool) throw new Error('sandbox options need a "default" limit profile');
      // One no-op per warm thread: returns once those threads have loaded SES and run
      // lockdown(), so the daemon's first event does not pay for it.
      const warm = Math.min(options.minThreads, options.maxThreads);
      await Promise.all(Array.from({ length: warm }, () => pool.run(null as never, { name: 'warmUp' })));
    },
    run,
    async close() {
      closed = true;
      await Promise.all([...pools.values()].map((pool) => pool.destroy()));
      pools.clear();
    },
    stats() {
      const out: Record<string, { threads: number; queued: number; completed: number }> = {};
      for (const [name, pool] of pools) out[name] = { threads: pool.threads.length, queued: pool.queueSize, completed: pool.completed };
      return { pools: out };
    },
  };
}
