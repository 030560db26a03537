// Events: the stored events newest first, a page at a time (GET /events with its cursor). Every
// filter (type patterns, status, time range, text, the event that caused them) is the server's
// and lives in the page's URL, so a filtered list can be linked to, and Back undoes a search.
import { useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Link, navigate, useLocation } from '../router.tsx';
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
// The filters the page keeps in its URL; since and until as the datetime-local inputs spell them (local time).
const FILTERS = ['type', 'status', 'since', 'until', 'q', 'causation'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function filtersOf(query: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Filters;
}

/** GET /events's query for these filters: local times become ISO instants. */
function apiQuery(f: Filters, cursor: string | null): URLSearchParams {
  const q = new URLSearchParams({ limit: String(PAGE) });
  for (const t of f.type.split(/[\s,]+/).filter(Boolean)) q.append('type', t);
  if (f.status) q.set('status', f.status);
  if (f.since) q.set('since', new Date(f.since).toISOString());
  if (f.until) q.set('until', new Date(f.until).toISOString());
  if (f.q.trim()) q.set('q', f.q.trim());
  if (f.causation) q.set('causation', f.causation);
  if (cursor) q.set('cursor', cursor);
  return q;
}

export function EventsPage() {
  const { query } = useLocation();
  const filters = filtersOf(query);
  const key = JSON.stringify(filters);
  const [items, setItems] = useState<EventView[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const [loadedFor, setLoadedFor] = useState<string | undefined>();
  // The filters of the newest load: an older answer arriving late must not replace its items.
  const latestKey = useRef('');

  function load(cursor: string | null): void {
    setLoading(true);
    setError(undefined);
    const forKey = key;
    api<{ items: EventView[]; nextCursor: string | null }>('GET', `/events?${apiQuery(filters, cursor)}`).then(
      (page) => {
        // An answer for filters the user has since changed is dropped.
        if (forKey !== latestKey.current) return;
        setItems((old) => (cursor && old ? [...old, ...page.items] : page.items));
        setNext(page.nextCursor);
        setLoading(false);
      },
      (err) => {
        if (forKey !== latestKey.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }
  latestKey.current = key;
  if (loadedFor !== key) {
    setLoadedFor(key);
    setItems(undefined);
    load(null);
  }

  function apply(form: HTMLFormElement): void {
    const data = new FormData(form);
    const q = new URLSearchParams();
    for (const f of FILTERS) {
      const value = String(data.get(f) ?? filters[f]).trim();
      if (value) q.set(f, value);
    }
    navigate(`/events${q.toString() ? `?${q}` : ''}`);
  }

  const filtered = FILTERS.some((f) => filters[f]);
  return (
    <section>
      <h1>Events</h1>
      <form
        class="filters"
        key={key}
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          apply(e.currentTarget);
        }}
      >
        <label>Search <input name="q" type="search" maxLength={200} placeholder="id, type, source, payload text" defaultValue={filters.q} /></label>
        <label>Type <input name="type" placeholder="media.* , download.done" defaultValue={filters.type} /></label>
        <label>Status
          <select name="status" defaultValue={filters.status} onChange={(e) => apply(e.currentTarget.form!)}>
            <option value="">any</option>
            <option value="pending">pending</option>
            <option value="done">done</option>
          </select>
        </label>
        <label>From <input name="since" type="datetime-local" defaultValue={filters.since} /></label>
        <label>To <input name="until" type="datetime-local" defaultValue={filters.until} /></label>
        <button type="submit">Search</button>
        {filtered ? <button type="button" class="link" onClick={() => navigate('/events')}>Clear</button> : null}
      </form>
      {filters.causation ? (
        <p class="muted">Emitted by <Link to={`/events/${encodeURIComponent(filters.causation)}`}>{filters.causation}</Link></p>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {items === undefined ? (loading ? <Loading /> : null) : items.length === 0 ? (
        <Empty>No events{filtered ? ' match these filters' : ' yet: POST /events to send one'}.</Empty>
      ) : (
        <table class="list events">
          <thead><tr><th>Time</th><th>Type</th><th>Status</th><th>Source</th><th>Id</th></tr></thead>
          <tbody>
            {items.map((e) => (
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
