// One held delivery's send: one attempt (attempt.ts: headers checked, signed, sent), its outcome
// handed to the outcome recorder (retry, failure, auto-disable) and counted for GET /metrics. A
// send cut (at stop, or a lease this daemon may have lost) is not an attempt: its claim is given back.
import type { DeliveriesStore } from '../db/deliveries-store.ts';
import type { Logger } from '../log.ts';
import type { WebhookAttempt } from '../metrics/index.ts';
import { attemptDelivery } from './attempt.ts';
import type { Queued } from './held-deliveries.ts';
import type { HttpSender } from './http-send.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';

export interface DeliverySendDeps {
  deliveries: DeliveriesStore;
  http: HttpSender;
  recorder: OutcomeRecorder;
  log: Logger;
  owner: string;
  defaultTimeoutMs: number;
  observeAttempt: (attempt: WebhookAttempt) => void;
  /** Gives claims back to come due after a pause (sender-leases.ts). */
  releaseLater: (ids: string[]) => Promise<void>;
}

/** Sends one held delivery; `freeSlot` is called once its answer is in, before it is recorded. */
export function createDeliverySend(deps: DeliverySendDeps) {
  return async function sendDelivery({ delivery: d, webhook }: Queued, cut: AbortSignal, freeSlot: () => void): Promise<void> {
    const { attemptedAt, result } = await attemptDelivery(deps.http, {
      webhook,
      id: d.id,
      body: d.body,
      eventType: d.eventType,
      timeoutMs: webhook.timeoutMs ?? deps.defaultTimeoutMs,
      signal: cut,
    });
    freeSlot();
    if (result.aborted) {
      // Cut by stop() or a lease this daemon may have lost: not an attempt. The claim, if still
      // this daemon's, is released so that another daemon (or the next start) sends it again.
      await deps.deliveries.releaseClaims([d.id], deps.owner).catch(() => {});
      return;
    }
    const decision = await deps.recorder.record({ delivery: d, result, attemptedAt }).catch(async (err: unknown) => {
      // The attempt could not be committed (the database failed): the row must not sit on its
      // hour-long lease, so it is released to come due again a little later.
      deps.log.error({ err, deliveryId: d.id }, 'webhook sender: recording an attempt failed; the delivery is sent again later');
      await deps.releaseLater([d.id]);
      return undefined;
    });
    if (decision) {
      deps.observeAttempt({ webhookId: d.webhookId, outcome: decision.state === 'retry' ? 'retrying' : decision.state, durationMs: result.durationMs });
    }
    deps.log.debug(
      { deliveryId: d.id, webhookId: d.webhookId, statusCode: result.statusCode, durationMs: result.durationMs, error: result.error, next: decision?.state },
      'webhook attempt',
    );
  };
}

export type SendDelivery = ReturnType<typeof createDeliverySend>;
