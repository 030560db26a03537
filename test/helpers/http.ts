// A small JSON HTTP client for tests: status, headers and parsed body of one request. Every
// answer is checked against the daemon's OpenAPI document: one that does not match it fails
// the test that received it (see openapi-conformance.ts).
import { checkAnswer } from './openapi-conformance.ts';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  headers?: Record<string, string>;
  /** Sent as is (a string) instead of JSON-encoding `body`. */
  raw?: string;
}

export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined = options.raw;
  if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(new URL(path, baseUrl), { method, headers, body: payload });
  const text = await res.text();
  checkAnswer({ method, target: path, status: res.status, contentType: res.headers.get('content-type'), headers: res.headers, text });
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: tests see the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}
