// One event's trace (GET /events/:id): received (with a link to the event that caused it), each
// filter in order with its outcome, duration, logs and error, the payload as received and as
// stored after the filters, each action hook (admins: dry-run it against this event), the events
// its hooks emitted as a tree of links (GET /events/:id/emitted), and each webhook delivery with
// every attempt (redeliver for admins).
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Link } from '../router.tsx';
import { Empty, ErrorBox, Json, Loaded, Time, useLoad } from '../view.tsx';
import type { EventView } from './events.tsx';

export interface LogLine { level: string; message: string; at: string }
export interface HookError { message: string; name?: string; line?: number; column?: number }
export interface Invocation {
  id: number;
  hookId: string;
  /** Absent once the hook is deleted. */
  hookName?: string;
  hookVersion: number;
  mode: 'filter' | 'action';
  status: string;
  durationMs: number;
  error: HookError | null;
  logs: LogLine[];
  at: string;
}
export interface Attempt { at: string; durationMs: number; statusCode: number | null; responseBody: string | null; error: string | null }
export interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt?: string;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  attempts: Attempt[];
}
type Trace = EventView & { invocations: Invocation[]; deliveries: Delivery[] };
type Emitted = { items: EventView[]; truncated: boolean };

// How far down the trace shows emitted events, and how many at most (the API's bounds are larger).
const EMITTED_LEVELS = 5;
const EMITTED_LIMIT = 100;

export function EventTrace(props: { id: string; admin: boolean }) {
  const load = useLoad(async () => {
    const id = encodeURIComponent(props.id);
    const [trace, emitted] = await Promise.all([
      api<Trace>('GET', `/events/${id}`),
      api<Emitted>('GET', `/events/${id}/emitted?levels=${EMITTED_LEVELS}&limit=${EMITTED_LIMIT}`),
    ]);
    return { trace, emitted };
  }, [props.id]);
  return (
    <section>
      <p><Link to="/events">← Events</Link></p>
      <Loaded load={load}>
        {({ trace, emitted }) => <TraceView trace={trace} emitted={emitted} admin={props.admin} onChange={load.reload} />}
      </Loaded>
    </section>
  );
}

function TraceView(props: { trace: Trace; emitted: Emitted; admin: boolean; onChange: () => void }) {
  const t = props.trace;
  const filters = t.invocations.filter((i) => i.mode === 'filter');
  const actions = t.invocations.filter((i) => i.mode === 'action');
  const changed = t.finalPayload !== undefined && JSON.stringify(t.finalPayload) !== JSON.stringify(t.payload);
  return (
    <>
      <h1>{t.type} <span class={`status ${t.status}`}>{t.status}</span></h1>
      <ol class="timeline">
        <li class="step">
          <h2>Received</h2>
          <dl class="facts">
            <dt>Id</dt><dd class="mono">{t.id}</dd>
            <dt>Occurred</dt><dd><Time at={t.occurredAt} /></dd>
            <dt>Received</dt><dd><Time at={t.receivedAt} /></dd>
            <dt>Source</dt><dd>{t.source ?? '-'}</dd>
            {t.causationId ? <><dt>Emitted by</dt><dd class="parent-event"><Link to={`/events/${encodeURIComponent(t.causationId)}`}>{t.causationId}</Link> (depth {t.depth ?? 0})</dd></> : null}
          </dl>
          <details><summary>Payload as received</summary><Json value={t.payload} /></details>
        </li>
        <li class="step">
          <h2>Filters ({filters.length})</h2>
          {filters.length === 0 ? <Empty>No filter ran.</Empty> : filters.map((i) => <InvocationView key={i.id} inv={i} dryRunEvent={props.admin ? t.id : undefined} />)}
        </li>
        <li class="step">
          <h2>Stored payload {changed ? <span class="badge">changed by filters</span> : <span class="badge">unchanged</span>}</h2>
          <Json value={t.finalPayload ?? t.payload} />
        </li>
        <li class="step">
          <h2>Actions ({actions.length})</h2>
          {actions.length === 0 ? <Empty>No action hook ran{t.status === 'pending' ? ' yet' : ''}.</Empty> : actions.map((i) => <InvocationView key={i.id} inv={i} dryRunEvent={props.admin ? t.id : undefined} />)}
        </li>
        <li class="step">
          <h2>Emitted events ({props.emitted.items.length}{props.emitted.truncated ? '+' : ''})</h2>
          {props.emitted.items.length === 0 ? <Empty>No hook emitted an event for this one.</Empty> : <EmittedTree parent={t.id} items={props.emitted.items} />}
          {props.emitted.truncated ? (
            <p class="muted">More were emitted than shown: <Link to={`/events?causation=${encodeURIComponent(t.id)}`}>list this event's children</Link>, and open one to follow it further.</p>
          ) : null}
        </li>
        <li class="step">
          <h2>Webhook deliveries ({t.deliveries.length})</h2>
          {t.deliveries.length === 0 ? <Empty>No webhook listens to this event.</Empty> : t.deliveries.map((d) => <DeliveryView key={d.id} delivery={d} admin={props.admin} onChange={props.onChange} />)}
        </li>
      </ol>
    </>
  );
}

/** The emitted events under `parent`, nested by causationId: each a link with its depth. */
function EmittedTree(props: { parent: string; items: EventView[] }) {
  const children = props.items.filter((e) => e.causationId === props.parent);
  if (children.length === 0) return null;
  return (
    <ul class="emitted">
      {children.map((e) => (
        <li key={e.id} data-depth={e.depth}>
          <Link to={`/events/${encodeURIComponent(e.id)}`}>{e.type}</Link> <span class="badge">depth {e.depth ?? 0}</span>{' '}
          <span class={`status ${e.status}`}>{e.status}</span> <span class="muted mono">{e.id}</span>
          <EmittedTree parent={e.id} items={props.items} />
        </li>
      ))}
    </ul>
  );
}

/** One hook run; `dryRunEvent`: offer to dry-run the hook against that event (admins). */
export function InvocationView(props: { inv: Invocation; dryRunEvent?: string }) {
  const i = props.inv;
  return (
    <article class="card invocation" data-status={i.status}>
      <header>
        <strong class="hook-name">{i.hookName ?? i.hookId}</strong> <span class="muted">v{i.hookVersion}</span>
        <span class={`status ${i.status}`}>{i.status}</span>
        <span class="muted">{i.durationMs.toFixed(1)} ms</span> <Time at={i.at} />
        {props.dryRunEvent && i.hookName ? (
          <Link class="dry-run-link" to={`/hooks/${encodeURIComponent(i.hookId)}?event=${encodeURIComponent(props.dryRunEvent)}`}>Dry-run against this event</Link>
        ) : null}
      </header>
      {i.error ? <p class="error">{i.error.name ? `${i.error.name}: ` : ''}{i.error.message}{i.error.line ? ` (line ${i.error.line}:${i.error.column ?? 0})` : ''}</p> : null}
      {i.logs.length > 0 ? (
        <ul class="logs">{i.logs.map((l, n) => <li key={n} class={`log ${l.level}`}><span class="level">{l.level}</span> {l.message}</li>)}</ul>
      ) : null}
    </article>
  );
}

export function DeliveryView(props: { delivery: Delivery; admin: boolean; onChange: () => void }) {
  const d = props.delivery;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <article class="card delivery">
      <header>
        <span class="mono">{d.id}</span> <span class={`status ${d.status}`}>{d.status}</span>
        {d.lastStatusCode !== null ? <span>HTTP {d.lastStatusCode}</span> : null}
        <span class="muted">webhook {d.webhookId}</span>
        {props.admin && d.status !== 'pending' ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              api('POST', `/deliveries/${encodeURIComponent(d.id)}/redeliver`).then(props.onChange, (e) => { setError(e); setBusy(false); });
            }}
          >Redeliver</button>
        ) : null}
      </header>
      {d.nextAttemptAt ? <p class="muted">Next attempt <Time at={d.nextAttemptAt} /></p> : null}
      {error ? <ErrorBox error={error} /> : null}
      <table class="list attempts">
        <thead><tr><th>#</th><th>Time</th><th>Status</th><th>Latency</th><th>Response</th></tr></thead>
        <tbody>
          {d.attempts.map((a, n) => (
            <tr key={n}>
              <td>{n + 1}</td>
              <td><Time at={a.at} /></td>
              <td>{a.statusCode ?? a.error ?? '-'}</td>
              <td>{a.durationMs.toFixed(0)} ms</td>
              <td class="excerpt">{(a.responseBody ?? '').slice(0, 200)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
