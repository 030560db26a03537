// Piscina worker entry: runs hooks. Side effects on load: lockdown() of this thread (safe error
// and console taming: hooks see no host paths and no host inspector), and an
// unhandledRejection handler so a hook's stray rejected promise cannot kill the thread.
import 'ses';
import { parentPort } from 'node:worker_threads';
import { createCallState, createHookContext, type CallSlot, type HookContext } from './ctx.ts';
import { isAllocationFailure, toPlainError, type HookLocation } from './hook-errors.ts';
import { createInstanceCache, type HookInstance } from './hook-instances.ts';
import { encodeResult } from './hook-result.ts';
import { createLogSink } from './log-sink.ts';
import type { HookEvent, OutcomeError, WorkerEventMessage, WorkerReply, WorkerTask } from './protocol.ts';

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
const instances = createInstanceCache({ maxEntries: MAX_INSTANCES });

function timeoutError(message: string): OutcomeError {
  return { name: 'TimeoutError', message };
}

function errorReply(error: OutcomeError, timedOut: boolean): Pick<WorkerReply, 'status' | 'error'> {
  if (timedOut) return { status: 'timeout', error };
  return { status: isAllocationFailure(error) ? 'oom' : 'error', error };
}

function contextFor(instance: HookInstance, task: WorkerTask): HookContext {
  const key = `${task.hookName}\0${JSON.stringify(task.grants)}`;
  if (instance.context?.key === key) return instance.context.ctx;
  const call: CallSlot = instance.call;
  const ctx = createHookContext({
    grants: harden(structuredClone(task.grants)),
    hook: { id: task.hookId, name: task.hookName },
    call,
    send(name, data) {
      const current = call.current;
      if (!current) return; // a stray callback after its call ended: nobody is listening
      const message: WorkerEventMessage = {
        hookdEvent: { type: 'hook.signal', hookId: task.hookId, eventId: current.event.id, name, data, at: new Date().toISOString() },
      };
      parentPort?.postMessage(message);
    },
  });
  instance.context = { key, ctx };
  return ctx;
}

/** A no-op task: the pool runs it to know this thread has loaded and locked down. */
export function warmUp(): boolean {
  return true;
}

/** One hook call. Never throws: every way a hook can fail becomes a reply. */
export default async function runHookCall(task: WorkerTask): Promise<WorkerReply> {
  const log = createLogSink(task.maxLogBytes);
  if (Date.now() >= task.deadline) {
    // It waited in the queue past its deadline: do not start work nobody will wait for.
    return { status: 'timeout', error: timeoutError('the hook call reached its deadline before it started'), logs: [], logsTruncated: false };
  }
  const where: HookLocation = { sourceUrl: task.hook.filename, filename: task.hook.filename, lineOneOffset: 0 };
  const state = createCallState({ log, event: { id: task.event.id, type: task.event.type }, deadline: task.deadline });
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
    const value: unknown = await Reflect.apply(instance.fn, undefined, [event, contextFor(instance, task)]);
    const encoded = encodeResult(value, task.maxResultBytes, (thrown) => toPlainError(thrown, where));
    reply = encoded.ok
      ? { status: 'ok', valueBytes: encoded.bytes }
      : { status: 'invalid-result', error: encoded.error };
  } catch (thrown) {
    reply = errorReply(toPlainError(thrown, where), Date.now() >= task.deadline);
  }
  // Microtasks the hook queued (say, from a result getter) run now, charged to this call,
  // not to whichever call this worker runs next.
  await new Promise<void>((resolve) => setImmediate(resolve));
  state.end();
  if (slot?.current === state) slot.current = null;
  if (Date.now() >= task.deadline && reply.status === 'ok') {
    // Finished, but past the deadline: the host is about to report a timeout anyway.
    reply = { status: 'timeout', error: timeoutError('the hook call reached its deadline') };
  }
  return { ...reply, logs: log.lines, logsTruncated: log.truncated };
}
