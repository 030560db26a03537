// Records attempts and their consequences in one transaction per batch (group commit, as the
// event writer does): the attempt row, the delivery's next state, the endpoint's failure count
// and auto-disable. Meta events (delivery.failed, webhook.disabled) are raised after commit.
// An attempt the storage refuses (a full disk) is retried until it is recorded or the daemon
// stops: the delivery stays claimed meanwhile, and a claim left at stop is released at start.
import type { Knex } from 'knex';
import type { DeliveriesStore, DeliveryChanges, DeliveryRecord } from '../db/deliveries-store.ts';
import type { WebhookRecord, WebhooksStore } from '../db/webhooks-store.ts';
import { createGroupCommit } from '../db/group-commit.ts';
import { retryOnStorageFailure } from '../db/storage-retry.ts';
import type { Logger } from '../log.ts';
import { attemptError } from './attempt.ts';
import type { HttpResult } from './http-send.ts';
import { decideNext, parseRetryAfter, type Decision, type RetryPolicy } from './retry-policy.ts';

export interface AttemptReport {
  delivery: DeliveryRecord;
  result: HttpResult;
  attemptedAt: number;
}

export interface MetaEvent {
  type: 'delivery.failed' | 'webhook.disabled';
  payload: Record<string, unknown>;
}

export interface OutcomeRecorderDeps {
  db: Knex;
  deliveries: DeliveriesStore;
  webhooks: WebhooksStore;
  policy: RetryPolicy;
  /** Consecutive failed deliveries that disable an endpoint; 0 never. */
  disableAfterFailures: number;
  emit: (event: MetaEvent) => Promise<void>;
  log: Logger;
  /** Aborted at stop: storage retries end. */
  stopSignal: AbortSignal;
  random?: () => number;
}

export function createOutcomeRecorder(deps: OutcomeRecorderDeps) {
  /**
   * Applies a batch inside one transaction. The claimed record is current (a claimed row changes
   * only by being cancelled or deleted), so no row is read back: few round trips per attempt.
   */
  async function applyBatch(trx: Knex.Transaction, reports: AttemptReport[], meta: MetaEvent[]): Promise<Array<Decision | undefined>> {
    const webhooks = new Map((await deps.webhooks.getMany([...new Set(reports.map((r) => r.delivery.webhookId))], trx)).map((w) => [w.id, w]));
    // A missing webhook was deleted meanwhile, and its deliveries with it: nothing to record.
    const live = reports.filter((r) => webhooks.has(r.delivery.webhookId));
    await deps.deliveries.insertAttempts(
      live.map(({ delivery: d, result, attemptedAt }) => ({
        deliveryId: d.id,
        webhookId: d.webhookId,
        attemptedAt,
        durationMs: result.durationMs,
        statusCode: result.statusCode ?? null,
        responseBody: result.statusCode === undefined ? null : result.responseBody,
        error: result.error ?? null,
      })),
      trx,
    );
    // Successes to enabled endpoints, the bulk of the traffic, are recorded together.
    const plain = live.filter((r) => isSuccess(r.result) && webhooks.get(r.delivery.webhookId)!.enabled);
    const notPending = new Set(
      plain.length === 0
        ? []
        : await deps.deliveries.markSucceeded(
            plain.map((r) => ({ id: r.delivery.id, statusCode: r.result.statusCode! })),
            Date.now(),
            trx,
          ),
    );
    const plainSet = new Set(plain);
    for (const r of plain) {
      const webhook = webhooks.get(r.delivery.webhookId)!;
      if (notPending.has(r.delivery.id) || webhook.consecutiveFailures === 0) continue;
      await deps.webhooks.resetFailures(webhook.id, trx);
      webhook.consecutiveFailures = 0;
    }
    const decisions: Array<Decision | undefined> = [];
    for (const r of reports) {
      if (!webhooks.has(r.delivery.webhookId)) decisions.push(undefined);
      else if (!plainSet.has(r)) decisions.push(await applyOne(trx, r, webhooks, meta));
      else if (notPending.has(r.delivery.id)) {
        // Failed meanwhile because its endpoint was disabled: the attempt is logged, the state stays.
        await deps.deliveries.update(r.delivery.id, { attempts: r.delivery.attempts + 1, claimedUntil: null }, Date.now(), trx);
        decisions.push(undefined);
      } else decisions.push({ state: 'succeeded' });
    }
    return decisions;
  }

  async function applyOne(trx: Knex.Transaction, r: AttemptReport, webhooks: Map<string, WebhookRecord>, meta: MetaEvent[]): Promise<Decision | undefined> {
    const { delivery: d, result } = r;
    const webhook = webhooks.get(d.webhookId)!;
    const lastError = isSuccess(result) ? null : attemptError(result);
    const attempts = d.attempts + 1;
    const base: DeliveryChanges = { attempts, claimedUntil: null, lastStatusCode: result.statusCode ?? null, lastError };
    const now = Date.now();
    let decision = decideNext({ ...result, retryAfterMs: parseRetryAfter(result.retryAfter, now) }, attempts, deps.policy, deps.random);
    if (decision.state === 'retry' && !webhook.enabled) decision = { state: 'failed', reason: 'the endpoint is disabled', gone: false };
    const changes: DeliveryChanges =
      decision.state === 'retry' ? { ...base, nextAttemptAt: now + decision.delayMs } : { ...base, status: decision.state };
    if ((await deps.deliveries.update(d.id, changes, now, trx, 'pending')) === 0) {
      // Failed meanwhile because its endpoint was disabled: the attempt is logged, the state stays.
      await deps.deliveries.update(d.id, { attempts, claimedUntil: null }, now, trx);
      return undefined;
    }
    if (decision.state === 'retry' || !webhook.enabled) return decision;
    if (decision.state === 'succeeded') {
      if (webhook.consecutiveFailures !== 0) await deps.webhooks.resetFailures(webhook.id, trx);
      webhook.consecutiveFailures = 0;
      return decision;
    }
    const failures = await deps.webhooks.incrementFailures(webhook.id, trx);
    webhook.consecutiveFailures = failures;
    meta.push({
      type: 'delivery.failed',
      payload: {
        deliveryId: d.id,
        webhookId: webhook.id,
        url: webhook.url,
        eventId: d.eventId,
        eventType: d.eventType,
        attempts,
        lastStatusCode: result.statusCode ?? null,
        lastError,
        reason: decision.reason,
      },
    });
    const limit = deps.disableAfterFailures;
    const disableReason = decision.gone
      ? decision.reason
      : limit > 0 && failures >= limit
        ? `${failures} consecutive failed deliveries (webhooks.disableAfterFailures is ${limit})`
        : undefined;
    if (disableReason) {
      await deps.webhooks.update(webhook.id, { enabled: false, disabledReason: disableReason }, now, trx);
      webhook.enabled = false;
      const cancelled = await deps.deliveries.failPendingForWebhook(webhook.id, `not sent: the endpoint was disabled (${disableReason})`, now, trx);
      meta.push({
        type: 'webhook.disabled',
        payload: { webhookId: webhook.id, url: webhook.url, reason: disableReason, consecutiveFailures: failures, cancelledDeliveries: cancelled },
      });
    }
    return decision;
  }

  // Attempts are group-committed; meta events are raised only once their batch committed.
  const commits = createGroupCommit<AttemptReport, Decision | undefined>({
    maxBatchWeight: 500,
    flush: async (reports) => {
      const meta: MetaEvent[] = [];
      const decisions = await deps.db.transaction((trx) => applyBatch(trx, reports, meta));
      for (const m of meta) {
        if (m.type === 'webhook.disabled') deps.log.warn({ webhookId: m.payload.webhookId, reason: m.payload.reason }, 'webhook disabled');
        await deps.emit(m).catch((err: unknown) => deps.log.error({ err, type: m.type }, 'could not record a webhook meta event'));
      }
      return decisions;
    },
  });

  return {
    /** Resolves with the decision once the attempt is committed (undefined: nothing to decide). */
    record: (report: AttemptReport) =>
      retryOnStorageFailure(() => commits.add(report), {
        signal: deps.stopSignal,
        onFailure: (err, attempt, retryInMs) =>
          deps.log.warn({ err, deliveryId: report.delivery.id, attempt, retryInMs }, 'could not record a webhook attempt: storage failed; retrying'),
      }),
    drain: () => commits.drain(),
  };
}

export type OutcomeRecorder = ReturnType<typeof createOutcomeRecorder>;

function isSuccess(r: HttpResult): boolean {
  return r.errorKind === undefined && r.statusCode !== undefined && r.statusCode >= 200 && r.statusCode < 300;
}
