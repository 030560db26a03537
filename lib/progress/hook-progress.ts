// Progress reported by running hooks (ctx.progress) joins the same coalesced stream as posted
// progress events, as job.progress keyed by hook and key (or the event the hook runs for).
// An update publish() refuses (too large, too deep) is dropped and logged, once per batch.
import type { Logger } from '../log.ts';
import type { SandboxEvent } from '../../runtime/index.ts';
import type { ProgressInput, PublishResult } from './index.ts';

export const HOOK_PROGRESS_TYPE = 'job.progress';

export function createHookProgressPublisher(deps: { publish: (input: ProgressInput) => PublishResult; log: Logger }) {
  return function publishHookProgress(event: SandboxEvent): void {
    if (event.type !== 'hook.progress') return;
    let dropped = 0;
    let reason: string | undefined;
    for (const item of event.items) {
      const key = `hook:${event.hookName}:${item.key ?? event.eventId}`;
      const result = deps.publish({
        type: HOOK_PROGRESS_TYPE,
        key,
        at: item.at,
        payload: { key, hook: event.hookName, eventId: event.eventId, pct: item.pct, message: item.message, data: item.data },
      });
      if (!result.ok) {
        dropped++;
        reason ??= result.reason;
      }
    }
    if (dropped > 0) deps.log.warn({ hook: event.hookName, eventId: event.eventId, dropped, reason }, 'progress from a hook dropped');
  };
}
