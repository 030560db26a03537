// Events: the stored events newest first, a page at a time (GET /events with its cursor), with
// the type patterns and time the API filters by; status and text narrow the loaded pages.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Link } from '../router.tsx';
import { Empty, ErrorBox, Loading, Time } from '../view.tsx';

export interface EventView {
  id: string;
  type: string;
  status: 'pending' | 'done';
  occurredAt: string;
  receivedAt: string;
  payload: unknown;
  finalPayload?: unknown;
  source: string | null;
  causationId?: string;
  depth?: number;
}

const PAGE = 50;

export function EventsPage() {
  const [filters, setFilters] = useState({ type: '', since: '' });
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const [items, setItems] = useState<EventView[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const [loadedFor, setLoadedFor] = useState<string | undefined>();

  function load(cursor: string | null, applied = filters): void {
    const q = new URLSearchParams({ limit: String(PAGE) });
    for (const t of applied.type.split(/[\s,]+/).filter(Boolean)) q.append('type', t);
    if (applied.since) q.set('since', new Date(applied.since).toISOString());
    if (cursor) q.set('cursor', cursor);
    setLoading(true);
    setError(undefined);
    api<{ items: EventView[]; nextCursor: string | null }>('GET', `/events?${q}`).then(
      (page) => {
        setItems((old) => (cursor && old ? [...old, ...page.items] : page.items));
        setNext(page.nextCursor);
        setLoading(false);
      },
      (err) => {
        setError(err);
        setLoading(false);
      },
    );
  }
  const key = JSON.stringify(filters);
  if (loadedFor !== key) {
    setLoadedFor(key);
    load(null);
  }

  const needle = text.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (e) => (!status || e.status === status) && (!needle || `${e.id} ${e.type} ${e.source ?? ''} ${JSON.stringify(e.finalPayload ?? e.payload)}`.toLowerCase().includes(needle)),
  );
  return (
    <section>
      <h1>Events</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          setFilters({ type: String(data.get('type') ?? ''), since: String(data.get('since') ?? '') });
        }}
      >
        <label>Type <input name="type" placeholder="media.* , download.done" defaultValue={filters.type} /></label>
        <label>Since <input name="since" type="datetime-local" defaultValue={filters.since} /></label>
        <button type="submit">Apply</button>
        <label>Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">any</option>
            <option value="pending">pending</option>
            <option value="done">done</option>
          </select>
        </label>
        <label>Search <input type="search" placeholder="id, type, payload text" value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {items === undefined ? (loading ? <Loading /> : null) : shown.length === 0 ? (
        <Empty>No events{filters.type || filters.since || status || needle ? ' match these filters' : ' yet: POST /events to send one'}.</Empty>
      ) : (
        <table class="list events">
          <thead><tr><th>Time</th><th>Type</th><th>Status</th><th>Source</th><th>Id</th></tr></thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id}>
                <td><Time at={e.occurredAt} /></td>
                <td><Link to={`/events/${encodeURIComponent(e.id)}`}>{e.type}</Link>{e.depth ? <span class="badge">depth {e.depth}</span> : null}</td>
                <td><span class={`status ${e.status}`}>{e.status}</span></td>
                <td>{e.source ?? '-'}</td>
                <td class="mono">{e.id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next ? <button type="button" disabled={loading} onClick={() => load(next)}>{loading ? 'Loading…' : 'Load more'}</button> : null}
    </section>
  );
}
