// `hookd replay FILE`: asks a running daemon (POST /hooks/replay) to run the module in FILE
// against its stored events of one type, and prints one line per event and a summary. The
// daemon is HOOKD_URL (or --url; default http://127.0.0.1:7700), the token HOOKD_TOKEN.
import { readFileSync } from 'node:fs';
import { EXIT, usageError } from './exit.ts';

export interface ReplayOptions {
  type: string;
  last?: string;
  since?: string;
  until?: string;
  hook?: string;
  url?: string;
  allowNetwork?: boolean;
  json?: boolean;
}

interface ReplayResult {
  eventId: string;
  current: { status: string };
  draft: { status: string; durationMs: number; error?: { message: string; line?: number; column?: number } };
  changed: boolean;
}

const DEFAULT_URL = 'http://127.0.0.1:7700';

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function parseLast(last: string | undefined): number | undefined {
  if (last === undefined) return undefined;
  const n = Number(last);
  if (!Number.isInteger(n) || n < 1) throw usageError(`--last must be a whole number of events, at least 1 (got "${last}")`);
  return n;
}

export async function replayCommand(file: string, opts: ReplayOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const token = env.HOOKD_TOKEN;
  if (!token) throw usageError('set HOOKD_TOKEN to an admin token of the daemon to ask (and HOOKD_URL or --url to its address)');
  const base = opts.url ?? env.HOOKD_URL ?? DEFAULT_URL;
  const body = {
    source: readSource(file),
    type: opts.type,
    ...(opts.hook ? { hookId: opts.hook } : {}),
    ...(parseLast(opts.last) === undefined ? {} : { limit: parseLast(opts.last) }),
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
    ...(opts.allowNetwork ? { allowNetwork: true } : {}),
  };
  let res: Response;
  try {
    res = await fetch(new URL('/hooks/replay', base), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (err) {
    console.error(`hookd: cannot reach the daemon at ${base}: ${(err as Error).cause ?? (err as Error).message} (set HOOKD_URL or --url)`);
    return EXIT.FAILURE;
  }
  const answer = (await res.json().catch(() => undefined)) as
    | { results?: ReplayResult[]; error?: { message: string; details?: { filename?: unknown } } }
    | undefined;
  if (!res.ok || !answer?.results) {
    let message = answer?.error?.message ?? `HTTP ${res.status}`;
    // A compile error names the module the daemon compiled: name the user's file instead.
    const compiled = answer?.error?.details?.filename;
    if (typeof compiled === 'string' && message.startsWith(`${compiled}:`)) message = `${file}${message.slice(compiled.length)}`;
    // The daemon refused the input (a compile error, an unknown type): fix it and run again.
    console.error(`hookd: ${message}`);
    return res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403 ? EXIT.USAGE : EXIT.FAILURE;
  }
  if (opts.json) console.log(JSON.stringify(answer, null, 2));
  else console.log(formatReplay(answer.results));
  return answer.results.some((r) => r.draft.status !== 'ok') ? EXIT.FAILURE : EXIT.OK;
}

/** One line per event (event id, current status, draft status, changed, duration), errors under it, then the summary. */
export function formatReplay(results: readonly ReplayResult[]): string {
  const rows = results.map((r) => [r.eventId, r.current.status, r.draft.status, r.changed ? 'yes' : 'no', `${r.draft.durationMs.toFixed(1)} ms`]);
  const header = ['event', 'current', 'draft', 'changed', 'duration'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header)];
  results.forEach((r, i) => {
    out.push(line(rows[i]!));
    const e = r.draft.error;
    if (e) out.push(`  ${e.line === undefined ? '' : `line ${e.line}:${e.column ?? 0}: `}${e.message}`);
  });
  const changed = results.filter((r) => r.changed).length;
  const failed = results.filter((r) => r.draft.status !== 'ok').length;
  out.push(`${results.length} event${results.length === 1 ? '' : 's'} replayed: ${changed} changed, ${failed} failed`);
  return out.join('\n');
}
