// Waits on what a causation chain SHOULD end with, so that a test can then assert that nothing
// more happened without sleeping first: an event hookd stored and finished dispatching.
import type { TestDaemon } from './daemon.ts';
import { waitFor } from './wait.ts';

export interface ListedEvent {
  id: string;
  type: string;
  status: 'pending' | 'done';
  causationId?: string | null;
  depth?: number;
  payload: unknown;
  [field: string]: unknown;
}

/**
 * Polls GET /events?type= until an event `match` accepts is stored with status done: its
 * action hooks have all run and their invocations are recorded.
 */
export function waitForDoneEvent(d: Pick<TestDaemon, 'call'>, type: string, match: (e: ListedEvent) => boolean): Promise<ListedEvent> {
  return waitFor(async () => {
    const res = await d.call('GET', `/events?type=${encodeURIComponent(type)}&limit=500`);
    return (res.body.items as ListedEvent[]).find((e) => e.status === 'done' && match(e));
  }, `a done ${type} event`);
}
