// The one rule for an event's payload at each stage. Every reader (API views, the POST answer,
// SSE live and replay, webhooks, dispatch) asks here, so they cannot disagree again (SSE replay
// once sent the payload as posted while live SSE sent the filtered one).
import { isDeepStrictEqual } from 'node:util';
import type { EventRecord } from '../db/events-store.ts';

/** received: as posted, emitted or raised; final: after the filter chain when one ran, else as received. */
export type PayloadStage = 'received' | 'final';

type WithPayloads = Pick<EventRecord, 'payload'> & { finalPayload?: unknown };

export function payloadAt(event: WithPayloads, stage: PayloadStage): unknown {
  if (stage === 'final' && event.finalPayload !== undefined) return event.finalPayload;
  return event.payload;
}

/** What dispatch hands a hook of this mode: a filter the payload as received, an action the stored final one. */
export function payloadForMode(event: WithPayloads, mode: 'filter' | 'action'): unknown {
  return payloadAt(event, mode === 'filter' ? 'received' : 'final');
}

/** Whether a filter chain ran before the event was stored (only then does it have a final payload of its own). */
export function wasFiltered(event: WithPayloads): boolean {
  return event.finalPayload !== undefined;
}

/**
 * Whether a filter changed a payload: by value, so a filter that only reorders keys changed
 * nothing. The one rule for `changed` in POST answers, dry runs, `hookd run-hook` and replays.
 */
export function payloadChanged(before: unknown, after: unknown): boolean {
  return !isDeepStrictEqual(before, after);
}
