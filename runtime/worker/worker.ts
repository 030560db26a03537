// Piscina worker entry: runs hooks. Side effects on load: lockdown() of this thread (safe error
// and console taming: hooks see no host paths and no host inspector), and an
// unhandledRejection handler so a hook's stray rejected promise cannot kill the thread.
import 'ses';
import { parentPort } from 'node:worker_threads';
import { createCallState, type CallSlot, type CallState } from '../capabilities/call.ts';
import { createHookContext, type HookContext } from '../capabilities/ctx.ts';
import { externalMemoryProblem } from './external-memory.ts';
import { isAllocationFailure, toPlainError, type HookLocation } from './hook-errors.ts';
import { createInstanceCache, type HookInstance } from './hook-instances.ts';
import { encodeResult, redactResult, type EncodedResult } from './hook-result.ts';
import { createLogSink } from './log-sink.ts';
import { cloneWithin } from './structured-clone.ts';
import type { HookEvent, HookGrants, OutcomeError, SandboxEvent, WorkerEventMessage, WorkerReplaceMessage, WorkerReply, WorkerTask } from '../protocol.ts';
import { createRedactor, type Redactor } from './redact.ts';

lockdown({
  errorTaming: 'safe',
  consoleTaming: 'safe',
  // Errors and rejections are ours to classify; SES's 'platform' trapping exits the thread.
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
  overrideTaming: 'moderate',
});
process.on('unhandledRejection', () => {});

const MAX_INSTANCES = 64;
/** This thread's exit code when it leaves to free its memory (see replaceThisWorker). */
const EXIT_REPLACED = 3;
// A result's copy keeps objects down to one level past events.maxDepth's largest setting (1000):
// a deeper result is refused by the daemon's depth check all the same, with the same pointer.
const RESULT_COPY_DEPTH = 1001;
const instances = createInstanceCache({ maxEntries: MAX_INSTANCES });

/** One set of grants as the worker uses it: hardened once, with its redactor. */
interface GrantsPolicy {
  key: string;
  grants: Readonly<HookGrants>;
  redact: Redactor | undefined;
}

const MAX_POLICIES = 64;
const policies = new Map<string, GrantsPolicy>();

function policyFor(grants: HookGrants): GrantsPolicy {
  const key = JSON.stringify(grants);
  let policy = policies.get(key);
  if (!policy) {
    policy = { key, grants: harden(structuredClone(grants)), redact: createRedactor(Object.values(grants.env ?? {})) };
    policies.set(key, policy);
    if (policies.size > MAX_POLICIES) policies.delete(policies.keys().next().value as string);
  }
  return policy;
}

function timeoutError(message: string): OutcomeError {
  return { name: 'TimeoutError', message };
}

function errorReply(error: OutcomeError, timedOut: boolean): Pick<WorkerReply, 'status' | 'error'> {
  if (timedOut) return { status: 'timeout', error };
  return { status: isAllocationFailure(error) ? 'oom' : 'error', error };
}

// Posts a SandboxEvent of the running call, counted so the host can forward the call's events
// before its outcome (they travel on parentPort, the reply on piscina's own port).
function postEvent(call: CallSlot, event: SandboxEvent): void {
  const current = call.current;
  if (!current) return; // a stray callback after its call ended: nobody is listening
  const message: WorkerEventMessage = { hookdEvent: event, callId: current.callId };
  parentPort?.postMessage(message);
  current.posted += 1;
}

function contextFor(instance: HookInstance, task: WorkerTask, policy: GrantsPolicy): HookContext {
  const key = `${task.hookName}\0${policy.key}`;
  if (instance.context?.key === key) return instance.context.ctx;
  const call: CallSlot = instance.call;
  const ctx = createHookContext({
    grants: policy.grants,
    hook: { id: task.hookId, name: task.hookName },
    call,
    post: (event) => postEvent(call, event),
    redact: policy.redact,
  });
  instance.context = { key, ctx };
  return ctx;
}

function redactError(error: OutcomeError | undefined, redact: Redactor): void {
  if (!error) return;
  error.message = redact.text(error.message);
  if (error.name !== undefined) error.name = redact.text(error.name);
  if (error.stack !== undefined) error.stack = redact.text(error.stack);
}

// What capabilities collected during the call (emitted payloads were redacted by ctx.emit).
// Emits travel only with an outcome the call reached itself: a timed-out call's emits are
// lost, as with a killed worker.
function addCapabilityFields(out: WorkerReply, state: CallState, redact: Redactor | undefined): void {
  if (state.emitted && out.status !== 'timeout' && out.status !== 'oom') out.emitted = state.emitted;
  if (state.denials) {
    out.denials = redact
      ? state.denials.map((d) => ({ ...d, target: redact.text(d.target), message: redact.text(d.message) }))
      : state.denials;
  }
}

/**
 * Resolves once the microtask queue is empty, chained microtasks included: Node runs nextTick
 * callbacks only after V8 has drained that queue. The guarantee setImmediate gave, without
 * its event-loop turn (a poll pass: 1-3 us a call in the worker, 10 us in isolation). A hook's
 * endless microtask chain never lets it resolve, so that call times out as before.
 */
function afterMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => process.nextTick(resolve));
}

/** A no-op task: the pool runs it to know this thread has loaded and locked down. */
export function warmUp(): boolean {
  return true;
}

/** The reply to a task without its record for a hook this worker has no instance of. */
const MISS: WorkerReply = Object.freeze({ status: 'miss', logs: [], logsTruncated: false, posted: 0 }) as WorkerReply;

/** One hook call. Never throws: every way a hook can fail becomes a reply. */
export default async function runHookCall(task: WorkerTask): Promise<WorkerReply> {
  if (Date.now() >= task.deadline) {
    // It waited in the queue past its deadline: do not start work nobody will wait for.
    return { status: 'timeout', error: timeoutError('the hook call reached its deadline before it started'), logs: [], logsTruncated: false, posted: 0 };
  }
  if (task.hook.record === undefined && !instances.has(task.hookId, task.hook)) return MISS;
  const policy = policyFor(task.grants);
  const log = createLogSink({ maxBytes: task.maxLogBytes, maxLines: task.maxLogLines }, policy.redact);
  const where: HookLocation = { sourceUrl: task.hook.filename, filename: task.hook.filename, lineOneOffset: 0 };
  const state = createCallState({
    callId: task.callId,
    log,
    event: { id: task.event.id, type: task.event.type },
    deadline: task.deadline,
    profile: task.profile,
    maxExternalBytes: task.maxExternalBytes,
  });
  if (task.appsPort) state.appsPort = task.appsPort;
  let slot: CallSlot | undefined;
  let reply: Pick<WorkerReply, 'status' | 'error' | 'valueBytes'>;
  try {
    const instance = await instances.getInstance(task.hookId, task.hook, (call) => {
      slot = call;
      call.current = state;
    });
    where.sourceUrl = instance.sourceUrl;
    where.lineOneOffset = instance.lineOneOffset;
    // The event arrived as a fresh structured clone: hardening it cannot affect anyone else.
    const event = harden(task.event) as HookEvent;
    const value: unknown = await Reflect.apply(instance.fn, undefined, [event, contextFor(instance, task, policy)]);
    const snapshot = (result: unknown) => cloneWithin(result, { call: instance.call, what: 'serialize', chargeStrings: true, maxDepth: RESULT_COPY_DEPTH });
    let encoded: EncodedResult = encodeResult(value, task.maxResultBytes, (thrown) => toPlainError(thrown, where), snapshot);
    if (encoded.ok && policy.redact) encoded = redactResult(encoded.bytes, task.maxResultBytes, policy.redact);
    reply = encoded.ok
      ? { status: 'ok', valueBytes: encoded.bytes }
      : { status: 'invalid-result', error: encoded.error };
  } catch (thrown) {
    reply = errorReply(toPlainError(thrown, where), Date.now() >= task.deadline);
  }
  // Microtasks the hook queued (say, from a result getter) run now, charged to this call,
  // not to whichever call this worker runs next.
  await afterMicrotasks();
  state.progress?.close();
  state.end();
  task.appsPort?.close();
  if (slot?.current === state) slot.current = null;
  if (Date.now() >= task.deadline && reply.status === 'ok') {
    // Finished, but past the deadline: the host is about to report a timeout anyway.
    reply = { status: 'timeout', error: timeoutError('the hook call reached its deadline') };
  }
  // ArrayBuffers are outside V8's heap limit: past the profile's bound, whatever the hook
  // returned (or threw) is discarded, and this worker must go so that the memory goes with it.
  const overMemory = state.memoryExceeded ?? externalMemoryProblem(state);
  // An allocation the rlimit refused is oom already, and says so better.
  if (overMemory !== undefined && reply.status !== 'oom') reply = { status: 'oom', error: { name: 'OutOfMemoryError', message: overMemory } };
  if (policy.redact) redactError(reply.error, policy.redact);
  // Built field by field: the two spreads this replaced cost ~1.5 us a call here.
  const out: WorkerReply = { status: reply.status, logs: log.finish(), logsTruncated: log.truncated, posted: state.posted };
  if (reply.valueBytes) out.valueBytes = reply.valueBytes;
  if (reply.error) out.error = reply.error;
  addCapabilityFields(out, state, policy.redact);
  return overMemory === undefined ? out : replaceThisWorker(out, task.callId);
}

/**
 * Hands the reply to the host out of band and ends this thread instead of the task. Node reports
 * a worker's exit only once its isolate, and every ArrayBuffer the hook still holds, is freed;
 * piscina then fails the task (the host answers this reply) and starts a replacement. Ending
 * the task would give this thread, memory and all, another call; having the host abort it made
 * piscina start the replacement at once, beside the memory: under the host's RLIMIT_DATA the new
 * isolate could not be allocated and V8 aborted the host, with every call in it.
 */
function replaceThisWorker(reply: WorkerReply, callId: number): never {
  const message: WorkerReplaceMessage = { hookdReplace: reply, callId };
  // Messages posted before a worker exits are delivered before its 'exit' event.
  parentPort?.postMessage(message);
  process.exit(EXIT_REPLACED);
}
