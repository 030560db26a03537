// The dashboard's only way to the daemon: same-origin fetch with the session cookie, the CSRF
// token (held in memory only, from POST or GET /session) on every state change, and errors
// turned into ApiError with the daemon's code, message and details.

export interface Session {
  name: string;
  scopes: string[];
  expiresAt: string;
  csrfToken: string;
  /** The config's limits the dashboard shows. */
  settings: { replayMaxEvents: number };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken: string | undefined;
let onSignedOut: (() => void) | undefined;

/** Called when the daemon says the session ended (401): the app shows the sign-in page. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `the daemon did not answer (${(err as Error).message})`);
  }
  const text = await res.text();
  const json = text ? safeParse(text) : undefined;
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    const error = new ApiError(res.status, e?.code ?? 'HTTP', e?.message ?? `${res.status} ${res.statusText}`, e?.details);
    if (res.status === 401 && path !== '/session') {
      csrfToken = undefined;
      onSignedOut?.();
    }
    throw error;
  }
  return json as T;
}

/**
 * Every item of a paged list (GET /hooks, GET /webhooks), following nextCursor: a page ends at the
 * daemon's byte bound, so big hook sources can spread a list over several pages.
 */
export async function listAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; nextCursor: string | null } = await api('GET', cursor === null ? path : `${path}?cursor=${encodeURIComponent(cursor)}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function signIn(token: string): Promise<Session> {
  const session = await api<Session>('POST', '/session', { token });
  csrfToken = session.csrfToken;
  return session;
}

/** The session the cookie holds, or undefined when there is none. */
export async function currentSession(): Promise<Session | undefined> {
  try {
    const session = await api<Session>('GET', '/session');
    csrfToken = session.csrfToken;
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return undefined;
    throw err;
  }
}

export async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/session');
  } finally {
    csrfToken = undefined;
  }
}

export const isAdmin = (session: Session) => session.scopes.includes('admin');

/** "*" matches any run of characters, dots included (lib/event-pattern.ts). */
export function matchesPattern(pattern: string, type: string): boolean {
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(type);
}
