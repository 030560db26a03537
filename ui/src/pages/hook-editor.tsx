// One hook: a new or saved module hook's fields and source (CodeMirror, loaded with import()
// on this page only), saved with POST or PATCH /hooks. As you type, the server compiles the
// source (POST /hooks/compile, debounced) and an error is shown at its line and column, in the
// editor and below it. "Dry run" runs the draft once against a test event (POST /hooks/test)
// whose payload is the catalog's sample for the type.
// Permissions below (hook-permissions.tsx). File and command hooks are shown read-only. Admin
// only: main.tsx routes no other token here.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CompileProblem } from '../code-editor.ts';
import { api, ApiError } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import { ErrorBox, Json, Loaded, useLoad } from '../view.tsx';
import { loadCatalog } from './catalog.tsx';
import { HookPermissions } from './hook-permissions.tsx';
import type { HookView } from './hooks.tsx';
import { ReplayPanel } from './replay-panel.tsx';
import { chosenEventId, ChosenEvent, SavedHookDryRun } from './stored-event-dry-run.tsx';

const TEMPLATE = `// A filter returns { patch } to change the payload; an action does something with it.
export default async function (event, ctx) {
  ctx.log.info('got ' + event.type);
}
`;

type Draft = { name: string; events: string; mode: 'filter' | 'action'; priority: string; source: string };

export function HookEditor(props: { id?: string; replayMaxEvents: number }) {
  const load = useLoad(async () => (props.id ? api<HookView>('GET', `/hooks/${encodeURIComponent(props.id)}`) : null), [props.id]);
  return (
    <section>
      <p><Link to="/hooks">← Hooks</Link></p>
      <Loaded load={load}>
        {(hook) => (hook && (hook.origin === 'file' || hook.kind !== 'module')
          ? <ReadOnlyHook hook={hook} />
          : <Editor key={hook?.id ?? 'new'} hook={hook ?? undefined} replayMaxEvents={props.replayMaxEvents} />)}
      </Loaded>
    </section>
  );
}

function ReadOnlyHook(props: { hook: HookView }) {
  const h = props.hook;
  return (
    <>
      <h1>{h.name} <span class="badge">read-only</span></h1>
      <dl class="facts">
        {h.file ? <><dt>File</dt><dd class="mono">{h.file}</dd></> : null}
        <dt>Kind</dt><dd>{h.kind}</dd>
        <dt>Mode</dt><dd>{h.mode}</dd>
        <dt>Events</dt><dd>{h.events.join(', ')}</dd>
        <dt>State</dt><dd>{h.enabled ? 'enabled' : `disabled${h.disabledReason ? `: ${h.disabledReason}` : ''}`}</dd>
      </dl>
      <p class="muted">{h.origin === 'file' ? 'Edit the file in the hooks directory; hookd reloads it.' : 'Command hooks are changed through the API (PATCH /hooks/:id).'}</p>
      <HookPermissions hook={h} />
      {h.source ? <pre class="code">{h.source}</pre> : h.command ? <pre class="code">{h.command.join(' ')}</pre> : null}
      {chosenEventId() ? <SavedHookDryRun hookId={h.id} eventId={chosenEventId()!} /> : null}
    </>
  );
}

function Editor(props: { hook?: HookView; replayMaxEvents: number }) {
  const h = props.hook;
  const [draft, setDraft] = useState<Draft>({
    name: h?.name ?? '',
    events: h?.events.join(', ') ?? '',
    mode: h?.mode ?? 'action',
    priority: String(h?.priority ?? 100),
    source: h?.source ?? TEMPLATE,
  });
  const [error, setError] = useState<unknown>();
  // A hook just created arrives here again under its id, with ?saved=1.
  const [saved, setSaved] = useState(() => h !== undefined && new URLSearchParams(location.search).has('saved'));
  const [dryRun, setDryRun] = useState<unknown>();
  const [testType, setTestType] = useState(h?.events.find((e) => !e.includes('*')) ?? '');
  const [eventId] = useState(chosenEventId); // opened from a trace: dry runs use that stored event
  const set = (field: keyof Draft) => (e: { currentTarget: { value: string } }) => {
    setSaved(false);
    setDraft({ ...draft, [field]: e.currentTarget.value });
  };
  const body = () => ({
    name: draft.name,
    events: draft.events.split(/[\s,]+/).filter(Boolean),
    mode: draft.mode,
    priority: Number(draft.priority),
    source: draft.source,
  });
  // As typed (the editor's linter), or as the last save answered.
  const [live, setLive] = useState<CompileProblem | undefined>();
  const saveProblem = error instanceof ApiError && error.code === 'COMPILE_ERROR' ? { message: error.message, ...(error.details as { line?: number; column?: number }) } : undefined;
  const compile = saveProblem ?? live;
  const onSource = (source: string) => {
    setSaved(false);
    setDraft((d) => ({ ...d, source }));
  };
  const onCompiled = (problem: CompileProblem | undefined) => {
    setLive(problem);
    setError((e: unknown) => (e instanceof ApiError && e.code === 'COMPILE_ERROR' ? undefined : e));
  };

  function save(): void {
    setError(undefined);
    const done = (saved: HookView) => {
      setSaved(true);
      if (!h) navigate(`/hooks/${encodeURIComponent(saved.id)}?saved=1`);
    };
    if (h) api<HookView>('PATCH', `/hooks/${encodeURIComponent(h.id)}`, body()).then(done, setError);
    else api<HookView>('POST', '/hooks', { kind: 'module', ...body() }).then(done, setError);
  }
  function test(): void {
    setError(undefined);
    setDryRun(undefined);
    const b = body();
    const type = testType || b.events.find((e) => !e.includes('*')) || '';
    // The test event's payload: the catalog's sample for its type (one its schema accepts), else {}.
    const payload = () => loadCatalog().then((types) => types.find((t) => t.name === type)?.sample ?? {}, () => ({}));
    const run = eventId ? Promise.resolve({ ...b, eventId }) : payload().then((p) => ({ ...b, type, payload: p }));
    run.then((request) => api('POST', '/hooks/test', request)).then(setDryRun, setError);
  }
  const types = body().events.filter((e) => !e.includes('*'));
  return (
    <>
    <form
      class="editor"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <h1>{h ? `Hook ${h.name}` : 'New module hook'}</h1>
      <div class="fields">
        <label>Name <input name="name" required value={draft.name} onInput={set('name')} /></label>
        <label>Events <input name="events" required placeholder="media.added, download.*" value={draft.events} onInput={set('events')} /></label>
        <label>Mode
          <select name="mode" value={draft.mode} onChange={set('mode')}>
            <option value="action">action</option>
            <option value="filter">filter</option>
          </select>
        </label>
        <label>Priority <input name="priority" type="number" value={draft.priority} onInput={set('priority')} /></label>
      </div>
      <label id="source-label">Source</label>
      <SourceEditor initial={draft.source} onChange={onSource} onCompiled={onCompiled} />
      {compile ? (
        <p class="error compile" role="alert">
          Line {compile.line ?? '?'}, column {compile.column ?? '?'}: {compile.message}
        </p>
      ) : error ? <ErrorBox error={error} /> : null}
      {compile?.line ? <pre class="code excerpt">{excerpt(draft.source, compile.line)}</pre> : null}
      <div class="actions">
        <button type="submit">{h ? 'Save' : 'Create'}</button>
        {eventId ? null : <label class="inline">Test type <input name="testType" placeholder="media.added" value={testType} onInput={(e) => setTestType(e.currentTarget.value)} /></label>}
        <button type="button" onClick={test}>Dry run</button>
        {eventId ? <ChosenEvent eventId={eventId} /> : null}
        {saved ? <span class="ok" role="status">Saved.</span> : null}
      </div>
      {dryRun ? <><h2>Dry run</h2><Json value={dryRun} /></> : null}
    </form>
    {h ? <HookPermissions hook={h} /> : <p class="muted">Permissions (fetch hosts, env names, apps) can be granted once the hook is created; until then it gets none.</p>}
    <ReplayPanel hookId={h?.id} draft={() => ({ source: draft.source, mode: draft.mode })} types={types} maxEvents={props.replayMaxEvents} />
    </>
  );
}

/** CodeMirror, once its chunk has loaded; its linter asks the daemon to compile as you type. */
function SourceEditor(props: { initial: string; onChange: (source: string) => void; onCompiled: (problem: CompileProblem | undefined) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<unknown>();
  const [ready, setReady] = useState(false);
  // The latest callbacks, without rebuilding the editor on each render.
  const callbacks = useRef(props);
  callbacks.current = props;
  useEffect(() => {
    let view: { destroy(): void } | undefined;
    let gone = false;
    import('../code-editor.ts').then(({ createCodeEditor }) => {
      if (gone || !host.current) return;
      view = createCodeEditor(host.current, {
        doc: props.initial,
        onChange: (source) => callbacks.current.onChange(source),
        compile: async (source) => {
          try {
            await api('POST', '/hooks/compile', { source });
            callbacks.current.onCompiled(undefined);
            return undefined;
          } catch (err) {
            if (!(err instanceof ApiError && err.code === 'COMPILE_ERROR')) throw err;
            const problem = { message: err.message, ...(err.details as { line?: number; column?: number }) };
            callbacks.current.onCompiled(problem);
            return problem;
          }
        },
      });
      setReady(true);
    }, setFailed);
    return () => {
      gone = true;
      view?.destroy();
    };
  }, []);
  return (
    <>
      <div id="source" class="code-editor" aria-labelledby="source-label" data-ready={ready ? 'true' : undefined} ref={host} />
      {failed ? <ErrorBox error={failed} /> : ready ? null : <p class="muted">Loading the editor…</p>}
    </>
  );
}

/** The lines around `line` (1-based), numbered, the failing one marked. */
function excerpt(source: string, line: number): string {
  const lines = source.split('\n');
  const from = Math.max(1, line - 2);
  const to = Math.min(lines.length, line + 2);
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${n === line ? '>' : ' '} ${String(n).padStart(3)} | ${lines[n - 1]}`);
  return out.join('\n');
}
