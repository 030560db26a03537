// Live: a progress bar per (type, key), first from GET /progress and then from /stream
// (EventSource, authenticated by the session cookie; it reconnects by itself and sends
// Last-Event-ID), and a feed of the latest hook outcomes. Progress is never replayed on a
// reconnect, so the latest values are read again then (newest wins).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Empty, ErrorBox, Time } from '../view.tsx';
import type { CatalogType } from './catalog.tsx';

interface Bar { type: string; key: string; pct: number | undefined; message?: string; at: string }
interface Outcome { at: string; payload: Record<string, unknown> }
const FEED_LENGTH = 50;

const pctOf = (payload: unknown): number | undefined => {
  const pct = (payload as { pct?: unknown } | null)?.pct;
  return typeof pct === 'number' ? Math.max(0, Math.min(100, pct)) : undefined;
};

// Wait before opening a new stream when the browser gave one up (an answer other than a stream).
const REOPEN_MS = 3000;

export function LivePage() {
  const [bars, setBars] = useState<Map<string, Bar>>(new Map());
  const [feed, setFeed] = useState<Outcome[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let source: EventSource | undefined;
    let closed = false;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    // Newest wins: a value read from GET /progress must not undo a newer one the stream already sent.
    const put = (type: string, key: string, payload: unknown, at: string) =>
      setBars((old) => {
        const id = `${type}\u0000${key}`;
        const held = old.get(id);
        if (held && Date.parse(held.at) > Date.parse(at)) return old;
        const next = new Map(old);
        const message = (payload as { message?: unknown } | null)?.message;
        next.set(id, { type, key, pct: pctOf(payload), at, ...(typeof message === 'string' ? { message } : {}) });
        return next;
      });
    // Progress is never stored, so Last-Event-ID replays none of it: after any reconnect the
    // latest values are read again, or a bar would stay where it was when the stream dropped.
    const readLatest = async () => {
      for (const item of (await api<{ items: Array<{ type: string; key: string; payload: unknown; at: string }> }>('GET', '/progress')).items) {
        put(item.type, item.key, item.payload, item.at);
      }
    };
    const open = (types: string[], progressTypes: string[]) => {
      const q = new URLSearchParams();
      for (const t of types) q.append('types', t);
      let opened = false;
      source = new EventSource(`/stream?${q}`);
      source.onopen = () => {
        setState('live');
        if (opened) {
          readLatest().catch(setError);
          // Hook outcomes are not replayed either: say where the feed has a hole.
          setFeed((old) => [{ at: new Date().toISOString(), payload: { gap: true } }, ...old].slice(0, FEED_LENGTH));
        }
        opened = true;
      };
      source.onerror = () => {
        setState('reconnecting');
        // The browser retries by itself unless the answer was not a stream (a 503 while hookd restarts).
        if (source?.readyState === EventSource.CLOSED && !closed) {
          reopen = setTimeout(() => {
            if (closed) return;
            readLatest().catch(() => {}); // the next open reads again; a failure here only delays it
            open(types, progressTypes);
          }, REOPEN_MS);
        }
      };
      for (const type of progressTypes) {
        source.addEventListener(type, (e) => {
          const m = JSON.parse((e as MessageEvent<string>).data) as { key?: string; payload: unknown; at: string };
          put(type, m.key ?? '', m.payload, m.at);
        });
      }
      source.addEventListener('hook.executed', (e) => {
        const m = JSON.parse((e as MessageEvent<string>).data) as { payload: Record<string, unknown>; at: string };
        setFeed((old) => [{ at: m.at, payload: m.payload }, ...old].slice(0, FEED_LENGTH));
      });
    };
    (async () => {
      const { types } = await api<{ types: CatalogType[] }>('GET', '/catalog');
      const progressTypes = types.filter((t) => t.kind === 'progress').map((t) => t.name);
      await readLatest();
      if (!closed) open([...progressTypes, 'hook.executed'], progressTypes);
    })().catch(setError);
    return () => {
      closed = true;
      clearTimeout(reopen);
      source?.close();
    };
  }, []);

  const list = [...bars.values()].sort((a, b) => a.type.localeCompare(b.type) || a.key.localeCompare(b.key));
  return (
    <section>
      <h1>Live <span class={`status ${state}`} data-stream={state}>{state}</span></h1>
      {error ? <ErrorBox error={error} /> : null}
      <h2>Progress</h2>
      {list.length === 0 ? <Empty>Nothing in progress. Post a progress event (e.g. download.progress with a pct) to see it here.</Empty> : (
        <ul class="bars">
          {list.map((b) => (
            <li key={`${b.type}\u0000${b.key}`} data-progress={`${b.type}:${b.key}`}>
              <div class="bar-label"><span class="mono">{b.type}</span> {b.key} <span class="pct">{b.pct === undefined ? '' : `${Math.round(b.pct)}%`}</span></div>
              <progress max={100} value={b.pct} aria-label={`${b.type} ${b.key}`} />
              {b.message ? <div class="muted">{b.message}</div> : null}
            </li>
          ))}
        </ul>
      )}
      <h2>Hook outcomes</h2>
      {feed.length === 0 ? <Empty>No hook has run since this page opened.</Empty> : (
        <ul class="feed">
          {feed.map((o, n) => o.payload.gap ? (
            <li key={n} class="muted gap"><Time at={o.at} /> Reconnected: hook outcomes while the stream was down are not shown.</li>
          ) : (
            <li key={n}><Time at={o.at} /> <strong>{(o.payload.hook as { name?: string } | undefined)?.name ?? '?'}</strong> <span class={`status ${String(o.payload.status)}`}>{String(o.payload.status ?? '')}</span> <span class="muted">{String(o.payload.eventType ?? '')}</span></li>
          ))}
        </ul>
      )}
    </section>
  );
}
