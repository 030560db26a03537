// One webhook POST over node:http(s): keep-alive agents, a guarded DNS lookup, an overall
// deadline, no redirects (node:http never follows them), and the response body read only up
// to a cap. Never rejects: every failure, even a synchronous throw from http.request, becomes
// a result that the retry policy classifies.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isHookdError } from '../errors.ts';
import { checkTargetUrl, createGuardedLookup } from './address-guard.ts';
import type { AttemptOutcome } from './retry-policy.ts';

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResult extends AttemptOutcome {
  /** The raw Retry-After header, when the answer had one. */
  retryAfter?: string;
  /** The first bytes of the response body (up to maxResponseBodyBytes). */
  responseBody: string;
  durationMs: number;
  error?: string;
  /** The send was cut by stop(): it is no attempt, the delivery stays owed. */
  aborted?: boolean;
}

export interface HttpSenderDeps {
  allowPrivateNetworks: boolean;
  maxResponseBodyBytes: number;
  userAgent?: string;
  /** Tests inject a resolver; the guarded system lookup otherwise. */
  lookup?: LookupFunction;
}

export function createHttpSender(deps: HttpSenderDeps) {
  const lookup = deps.lookup ?? createGuardedLookup({ allowPrivateNetworks: deps.allowPrivateNetworks });
  const agents = {
    'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
  };
  const userAgent = deps.userAgent ?? 'hookd-webhooks/0.1';
  // Each endpoint's URL parsed and checked once (the check depends on the URL alone); the
  // resolved addresses are still checked on every connection by the guarded lookup.
  const checkedUrls = new Map<string, URL>();
  function checkedUrl(raw: string): URL {
    let url = checkedUrls.get(raw);
    if (url === undefined) {
      url = checkTargetUrl(raw, deps.allowPrivateNetworks);
      if (checkedUrls.size >= 1000) checkedUrls.clear();
      checkedUrls.set(raw, url);
    }
    return url;
  }

  function send(req: HttpRequest): Promise<HttpResult> {
    const started = performance.now();
    return new Promise<HttpResult>((resolve) => {
      let settled = false;
      let client: http.ClientRequest | undefined;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        finish({ errorKind: 'network', error: 'aborted: hookd is stopping', aborted: true, responseBody: '' });
        client?.destroy();
      };
      const finish = (r: Omit<HttpResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve({ ...r, durationMs: Math.round((performance.now() - started) * 100) / 100 });
      };

      let url: URL;
      try {
        url = checkedUrl(req.url);
      } catch (err) {
        finish({ errorKind: 'refused', error: errorMessage(err), responseBody: '' });
        return;
      }
      try {
        request(url);
      } catch (err) {
        // http.request throws synchronously on what it cannot send (a header value, a bad
        // agent state): a failed attempt like any other, retried on the schedule.
        finish({ errorKind: 'local', error: `hookd could not make the request: ${errorMessage(err)}`, responseBody: '' });
        client?.destroy();
      }

      function request(url: URL): void {
        if (req.signal?.aborted) return onAbort();
        req.signal?.addEventListener('abort', onAbort, { once: true });

        let answered: { statusCode: number; retryAfter?: string; chunks: Buffer[] } | undefined;
        const finishAnswered = () => {
          if (!answered) return;
          const { statusCode, retryAfter, chunks } = answered;
          finish({ statusCode, retryAfter, responseBody: Buffer.concat(chunks).toString('utf8') });
        };
        client = (url.protocol === 'https:' ? https : http).request(
          url,
          {
            method: 'POST',
            agent: agents[url.protocol as 'http:' | 'https:'],
            lookup,
            headers: {
              'user-agent': userAgent,
              ...req.headers,
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(req.body)),
            },
          },
          (res) => {
            answered = { statusCode: res.statusCode ?? 0, retryAfter: header(res.headers['retry-after']), chunks: [] };
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              const room = deps.maxResponseBodyBytes - size;
              if (room > 0) answered!.chunks.push(chunk.subarray(0, room));
              size += chunk.length;
              // Past the cap the rest is not read: the socket is dropped instead of drained.
              if (size >= deps.maxResponseBodyBytes) {
                finishAnswered();
                res.destroy();
              }
            });
            res.on('end', finishAnswered);
            res.on('error', finishAnswered);
          },
        );
        client.on('error', (err) => {
          // An error after the status line (socket cut while reading) keeps the status.
          if (answered) return finishAnswered();
          finish(describeError(err));
        });
        timer = setTimeout(() => {
          // Headers came but the body dawdles: the receiver did answer, so its status counts.
          if (answered) finishAnswered();
          else finish({ errorKind: 'timeout', error: `no answer within ${req.timeoutMs} ms`, responseBody: '' });
          client?.destroy();
        }, req.timeoutMs);
        client.end(req.body);
      }
    });
  }

  return {
    send,
    close(): void {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

export type HttpSender = ReturnType<typeof createHttpSender>;

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function describeError(err: Error & { code?: string }): Omit<HttpResult, 'durationMs'> {
  if (isHookdError(err) && err.code === 'TARGET_REFUSED') return { errorKind: 'refused', error: err.message, responseBody: '' };
  return { errorKind: 'network', error: err.code ? `${err.code}: ${errorMessage(err)}` : errorMessage(err), responseBody: '' };
}

/** A thrown value's message, whatever was thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An attempt hookd itself could not make (a stored header HTTP cannot carry, a bug): retried like a network error. */
export function localFailure(error: string, durationMs = 0): HttpResult {
  return { errorKind: 'local', error, responseBody: '', durationMs };
}
