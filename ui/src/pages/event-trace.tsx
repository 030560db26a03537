// One event's trace (GET /events/:id): received, each filter in order with its outcome,
// duration, logs and error, the payload as received and as stored after the filters, each
// action hook, and each webhook delivery with every attempt (redeliver for admins).
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

export function EventTrace(props: { id: string; admin: boolean }) {
  const load = useLoad(async () => {
    const trace = await api<Trace>('GET', `/events/${encodeURIComponent(props.id)}`);
    // Hook names need the admin scope; an events token sees the hook ids.
    const names = new Map<string, string>();
    if (props.admin) for (const h of (await api<{ items: Array<{ id: string; name: string }> }>('GET', '/hooks')).items) names.set(h.id, h.name);
    return { trace, names };
  }, [props.id]);
  return (
    <section>
      <p><Link to="/events">← Events</Link></p>
      <Loaded load={load}>
        {({ trace, names }) => <TraceView trace={trace} names={names} admin={props.admin} onChange={load.reload} />}
      </Loaded>
    </section>
  );
}

function TraceView(props: { trace: Trace; names: Map<string, string>; admin: boolean; onChange: () => void }) {
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
            {t.causationId ? <><dt>Emitted by</dt><dd><Link to={`/events/${encodeURIComponent(t.causationId)}`}>{t.causationId}</Link> (depth {t.depth ?? 0})</dd></> : null}
          </dl>
          <details><summary>Payload as received</summary><Json value={t.payload} /></details>
        </li>
        <li class="step">
          <h2>Filters ({filters.length})</h2>
          {filters.length === 0 ? <Empty>No filter ran.</Empty> : filters.map((i) => <InvocationView key={i.id} inv={i} name={props.names.get(i.hookId)} />)}
        </li>
        <li class="step">
          <h2>Stored payload {changed ? <span class="badge">changed by filters</span> : <span class="badge">unchanged</span>}</h2>
          <Json value={t.finalPayload ?? t.payload} />
        </li>
        <li class="step">
          <h2>Actions ({actions.length})</h2>
          {actions.length === 0 ? <Empty>No action hook ran{t.status === 'pending' ? ' yet' : ''}.</Empty> : actions.map((i) => <InvocationView key={i.id} inv={i} name={props.names.get(i.hookId)} />)}
        </li>
        <li class="step">
          <h2>Webhook deliveries ({t.deliveries.length})</h2>
          {t.deliveries.length === 0 ? <Empty>No webhook listens to this event.</Empty> : t.deliveries.map((d) => <DeliveryView key={d.id} delivery={d} admin={props.admin} onChange={props.onChange} />)}
        </li>
      </ol>
    </>
  );
}

export function InvocationView(props: { inv: Invocation; name: string | undefined }) {
  const i = props.inv;
  return (
    <article class="card invocation" data-status={i.status}>
      <header>
        <strong>{props.name ?? i.hookId}</strong> <span class="muted">v{i.hookVersion}</span>
        <span class={`status ${i.status}`}>{i.status}</span>
        <span class="muted">{i.durationMs.toFixed(1)} ms</span> <Time at={i.at} />
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
