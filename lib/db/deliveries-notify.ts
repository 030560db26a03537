// Several daemons on one PostgreSQL database: tells this daemon's sender when deliveries became
// claimable anywhere. hookd_deliveries notifications (the triggers of migration 012) carry the
// earliest due time of the rows a statement left claimable; when the listening connection opens
// again, what was notified meanwhile is lost, so the sender is told to claim afresh.
import type { NotifyListener } from './notify-listener.ts';

export const DELIVERIES_CHANNEL = 'hookd_deliveries';

export interface DeliveriesNotifyDeps {
  listener: Pick<NotifyListener, 'follow' | 'schema'>;
  /** Rows fall due at `at` (ms); undefined: anything may be due, claim now. Must not throw. */
  onDue: (at: number | undefined) => void;
}

/** Follows hookd_deliveries on the listening connection (before it starts). */
export function followDueDeliveries(deps: DeliveriesNotifyDeps): void {
  deps.listener.follow(DELIVERIES_CHANNEL, {
    notified(payload) {
      const [from, due] = payload.split(' ');
      if (from !== deps.listener.schema()) return; // a daemon of another schema on the same database
      const at = Number(due);
      deps.onDue(Number.isFinite(at) ? at : undefined);
    },
    connected: () => deps.onDue(undefined),
  });
}
