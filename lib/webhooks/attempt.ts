// One attempt at one delivery, for the sender and for test pings alike: checks the endpoint's
// stored headers, signs, sends. Never rejects: whatever goes wrong on the way (a header stored
// before registration checked it, a signing error, a bug) is an attempt that failed with a
// message, retried and counted toward auto-disable like a network error.
import type { WebhookRecord } from '../db/webhooks-store.ts';
import { headersProblem } from './header-rules.ts';
import { errorMessage, localFailure, type HttpResult, type HttpSender } from './http-send.ts';
import { activeSecrets } from './secret.ts';
import { buildSignatureHeaders } from './sign.ts';

export interface AttemptInput {
  webhook: WebhookRecord;
  /** The delivery id, sent as webhook-id. */
  id: string;
  body: string;
  eventType: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Attempt {
  attemptedAt: number;
  result: HttpResult;
}

/** How much of an endpoint's answer a failed attempt's record quotes. */
const RESPONSE_TEXT_LIMIT = 200;

/**
 * What the record of a failed attempt says (its lastError): the transport's error, or the status
 * with the start of what the endpoint answered. A 3xx says why it failed: redirects are never
 * followed (the signed body would go to another address, checked by nobody).
 */
export function attemptError(result: HttpResult): string {
  if (result.error !== undefined) return result.error;
  const status = result.statusCode ?? 0;
  if (status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed; set the webhook's url to the address it redirects to`;
  return `HTTP ${status}: ${result.responseBody.slice(0, RESPONSE_TEXT_LIMIT)}`;
}

// The header check's verdict per endpoint record: the sender keeps one record object per
// endpoint version, so its headers are checked once per version rather than on every attempt.
const headerVerdicts = new WeakMap<object, ReturnType<typeof headersProblem> | null>();

function checkedHeaders(headers: unknown): ReturnType<typeof headersProblem> {
  if (typeof headers !== 'object' || headers === null) return headersProblem(headers);
  let verdict = headerVerdicts.get(headers);
  if (verdict === undefined) {
    verdict = headersProblem(headers) ?? null;
    headerVerdicts.set(headers, verdict);
  }
  return verdict ?? undefined;
}

export async function attemptDelivery(http: HttpSender, input: AttemptInput): Promise<Attempt> {
  const attemptedAt = Date.now();
  const { webhook } = input;
  try {
    const problem = checkedHeaders(webhook.headers);
    if (problem) {
      return { attemptedAt, result: localFailure(`not sent: ${problem.message}; change the endpoint's headers with PATCH /webhooks/${webhook.id}`) };
    }
    const signature = buildSignatureHeaders({
      id: input.id,
      timestamp: Math.floor(attemptedAt / 1000),
      body: input.body,
      eventType: input.eventType,
      secrets: activeSecrets(webhook, attemptedAt),
    });
    const result = await http.send({ url: webhook.url, headers: { ...webhook.headers, ...signature }, body: input.body, timeoutMs: input.timeoutMs, signal: input.signal });
    return { attemptedAt, result };
  } catch (err) {
    return { attemptedAt, result: localFailure(`not sent: hookd could not prepare the request: ${errorMessage(err)}`, Date.now() - attemptedAt) };
  }
}
