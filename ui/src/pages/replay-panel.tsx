// Replay, on the hook editor page: the draft in the editor (or the saved hook as it is) run
// against the newest stored events of one type, within a time range (since, until: in the
// user's zone) and at most the configured cap (POST /hooks/replay: nothing stored, nothing
// sent, emits collected; the network only when opted in for this run), and per event its
// outcome, duration, logs and the payload diff between what is stored now and the draft's.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { diffJson } from '../json-diff.ts';
import { Link } from '../router.tsx';
import { Empty, ErrorBox, Time } from '../view.tsx';

interface LogLine { level: string; message: string }
export interface ReplayResult {
  eventId: string;
  receivedAt: string;
  current: { status: string; payload: unknown };
  draft: { status: string; payload: unknown; logs: LogLine[]; durationMs: number; error?: { message: string }; emitted: Array<{ type: string; payload: unknown }> };
  changed: boolean;
}

/** A datetime-local value (the user's zone) as an ISO instant; undefined when empty or invalid. */
function instant(local: string): string | undefined {
  const at = local ? new Date(local) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
}

export function ReplayPanel(props: { hookId?: string; draft: () => { source: string; mode: 'filter' | 'action' }; types: string[]; maxEvents: number }) {
  const [which, setWhich] = useState<'draft' | 'saved'>('draft');
  const [type, setType] = useState(props.types[0] ?? '');
  const [last, setLast] = useState(String(Math.min(20, props.maxEvents)));
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [network, setNetwork] = useState(false);
  const [ranWithNetwork, setRanWithNetwork] = useState(false);
  const [results, setResults] = useState<ReplayResult[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [running, setRunning] = useState(false);

  function run(): void {
    setError(undefined);
    setRunning(true);
    const draft = props.draft();
    const body = {
      ...(props.hookId ? { hookId: props.hookId } : {}),
      ...(which === 'draft' || !props.hookId ? { source: draft.source, mode: draft.mode } : {}),
      type,
      limit: Number(last),
      ...(instant(since) ? { since: instant(since) } : {}),
      ...(instant(until) ? { until: instant(until) } : {}),
      // Per run: unticked after each replay, so the network is never left open by accident.
      ...(network ? { allowNetwork: true } : {}),
    };
    setRanWithNetwork(network);
    setNetwork(false);
    api<{ results: ReplayResult[] }>('POST', '/hooks/replay', body)
      .then((r) => setResults(r.results), setError)
      .finally(() => setRunning(false));
  }

  return (
    <section class="replay" aria-labelledby="replay-heading">
      <h2 id="replay-heading">Replay</h2>
      <p class="muted">Runs the hook against stored events: nothing is stored or sent, what it emits is only listed, and fetch and apps calls are denied unless you allow the network for one run.</p>
      <div class="fields">
        {props.hookId ? (
          <label>Hook
            <select name="replayWhich" value={which} onChange={(e) => setWhich(e.currentTarget.value as 'draft' | 'saved')}>
              <option value="draft">the draft in the editor</option>
              <option value="saved">the saved version</option>
            </select>
          </label>
        ) : null}
        <label>Event type <input name="replayType" list="replay-types" required placeholder="media.added" value={type} onInput={(e) => setType(e.currentTarget.value)} /></label>
        <datalist id="replay-types">{props.types.map((t) => <option key={t} value={t} />)}</datalist>
        <label>Last <input name="replayLast" type="number" min={1} max={props.maxEvents} aria-describedby="replay-cap" value={last} onInput={(e) => setLast(e.currentTarget.value)} /></label>
        <label>Since <input name="replaySince" type="datetime-local" step={1} value={since} onInput={(e) => setSince(e.currentTarget.value)} /></label>
        <label>Until <input name="replayUntil" type="datetime-local" step={1} value={until} onInput={(e) => setUntil(e.currentTarget.value)} /></label>
      </div>
      <p class="muted small" id="replay-cap">At most {props.maxEvents} events a replay (ui.replayMaxEvents). Times are in your zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).</p>
      <label class="inline">
        <input type="checkbox" name="replayNetwork" checked={network} onChange={(e) => setNetwork(e.currentTarget.checked)} />
        Allow the network for this run: ctx.fetch and ctx.apps reach what the permissions grant
      </label>
      <div class="actions">
        <button type="button" onClick={run} disabled={running || !type || !(Number(last) >= 1 && Number(last) <= props.maxEvents)}>{running ? 'Replaying…' : 'Replay'}</button>
        {results ? <span class="muted" role="status">{results.length} event{results.length === 1 ? '' : 's'}, {results.filter((r) => r.changed).length} changed · network {ranWithNetwork ? 'allowed' : 'withheld'}</span> : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {results?.length === 0 ? <Empty>No stored {type} events to replay.</Empty> : null}
      {results?.map((r) => <ReplayOutcome key={r.eventId} result={r} network={ranWithNetwork} />)}
    </section>
  );
}

function ReplayOutcome(props: { result: ReplayResult; network: boolean }) {
  const r = props.result;
  const diff = r.changed ? diffJson(r.current.payload, r.draft.payload) : [];
  return (
    <article class="replay-result" data-event={r.eventId}>
      <header>
        <Link to={`/events/${encodeURIComponent(r.eventId)}`}>{r.eventId}</Link>{' '}
        <Time at={r.receivedAt} />{' '}
        <span class={`badge ${r.draft.status === 'ok' ? 'ok' : 'bad'}`}>{r.draft.status}</span>{' '}
        <span class="muted">now {r.current.status} · {r.draft.durationMs.toFixed(1)} ms</span>{' '}
        {r.changed ? <span class="badge">changed</span> : <span class="muted">same payload</span>}
      </header>
      {r.draft.error ? <p class="error">{r.draft.error.message}</p> : null}
      {r.draft.error && !props.network && /ctx\.(fetch|apps)\b/.test(r.draft.error.message)
        ? <p class="muted withheld">The network was withheld for this run: ctx.fetch and ctx.apps are absent unless you allow it.</p>
        : null}
      {r.draft.logs.length > 0 ? (
        <ul class="logs">{r.draft.logs.map((l, n) => <li key={n} class={`log ${l.level}`}><span class="level">{l.level}</span> {l.message}</li>)}</ul>
      ) : null}
      {r.draft.emitted.length > 0 ? <p class="muted">Would emit: {r.draft.emitted.map((e) => e.type).join(', ')}</p> : null}
      {r.changed ? (
        <pre class="diff" aria-label="payload: stored now (-) and the draft's (+)">
          {diff.map((l, n) => <span key={n} class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : undefined}>{l.op} {l.text}{'\n'}</span>)}
        </pre>
      ) : null}
    </article>
  );
}
