// Progress reported by running hooks (ctx.progress) joins the same coalesced stream as posted
// progress events, as job.progress keyed by hook and key (or the event the hook runs for).
import type { SandboxEvent } from '../../runtime/index.ts';
import type { ProgressInput } from './index.ts';

export const HOOK_PROGRESS_TYPE = 'job.progress';

export function createHookProgressPublisher(deps: { publish: (input: ProgressInput) => void }) {
  return function publishHookProgress(event: SandboxEvent): void {
    if (event.type !== 'hook.progress') return;
    for (const item of event.items) {
      const key = `hook:${event.hookName}:${item.key ?? event.eventId}`;
      deps.publish({
        type: HOOK_PROGRESS_TYPE,
        key,
        at: item.at,
        payload: { key, hook: event.hookName, eventId: event.eventId, pct: item.pct, message: item.message, data: item.data },
      });
    }
  };
}
