// Webhooks (admin): every endpoint with its state and why it was disabled; create (the secret
// is shown once, with copy), edit (url, events, description, headers, timeout, enabled: what
// PATCH /webhooks/:id takes), enable/disable, test ping, rotate the secret, and an endpoint's
// deliveries with every attempt.
import { useState } from 'preact/hooks';
import { api, listAll } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import { Dialog } from '../dialog.tsx';
import { Empty, ErrorBox, Json, Loaded, Time, useLoad } from '../view.tsx';
import { DeliveryView, type Delivery } from './event-trace.tsx';

interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description?: string | null;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  headers: Record<string, string>;
  timeoutMs: number | null;
  createdAt: string;
}

export function WebhooksPage(props: { open?: string }) {
  const load = useLoad(async () => ({ items: await listAll<WebhookView>('/webhooks') }), []);
  const [secret, setSecret] = useState<{ id: string; secret: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<unknown>();
  const [editing, setEditing] = useState<WebhookView | undefined>();
  const act = (p: Promise<unknown>) => {
    setError(undefined);
    setResult(undefined);
    p.then(load.reload, setError);
  };
  return (
    <section>
      <h1>Webhooks</h1>
      <CreateWebhook onCreated={(w) => { setSecret({ id: w.id, secret: w.secret }); load.reload(); }} />
      {secret ? <SecretOnce {...secret} onDone={() => setSecret(undefined)} /> : null}
      {error ? <ErrorBox error={error} /> : null}
      {result ? <><h2>Ping</h2><Json value={result} /></> : null}
      <Loaded load={load}>
        {({ items }) =>
          items.length === 0 ? <Empty>No webhooks yet.</Empty> : (
            <table class="list webhooks cards">
              <thead><tr><th>URL</th><th>Events</th><th>State</th><th>Failures</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {items.map((w) => (
                  <tr key={w.id} data-webhook={w.url}>
                    <td><Link to={`/webhooks/${encodeURIComponent(w.id)}`}>{w.url}</Link>{w.description ? <div class="muted">{w.description}</div> : null}</td>
                    <td data-label="Events">{w.events.join(', ')}</td>
                    <td data-label="State">
                      <span class={`status ${w.enabled ? 'enabled' : 'disabled'}`}>{w.enabled ? 'enabled' : 'disabled'}</span>
                      {w.disabledReason ? <div class="error small">{w.disabledReason}</div> : null}
                    </td>
                    <td data-label="Failures">{w.consecutiveFailures}</td>
                    <td class="buttons">
                      <button type="button" onClick={() => setEditing(w)}>Edit</button>
                      <button type="button" onClick={() => act(api('PATCH', `/webhooks/${encodeURIComponent(w.id)}`, { enabled: !w.enabled }))}>{w.enabled ? 'Disable' : 'Enable'}</button>
                      <button type="button" onClick={() => { setError(undefined); api('POST', `/webhooks/${encodeURIComponent(w.id)}/test`).then(setResult, setError); }}>Ping</button>
                      <button
                        type="button"
                        onClick={() => {
                          setError(undefined);
                          api<{ id: string; secret: string }>('POST', `/webhooks/${encodeURIComponent(w.id)}/rotate-secret`).then((r) => setSecret({ id: r.id, secret: r.secret }), setError);
                        }}
                      >Rotate secret</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      {editing ? <EditWebhook webhook={editing} onClose={() => setEditing(undefined)} onSaved={() => { setEditing(undefined); load.reload(); }} /> : null}
      {props.open ? <Deliveries id={props.open} /> : null}
    </section>
  );
}

function CreateWebhook(props: { onCreated: (w: WebhookView & { secret: string }) => void }) {
  const [error, setError] = useState<unknown>();
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const data = new FormData(form);
        const description = String(data.get('description') ?? '').trim();
        setError(undefined);
        api<WebhookView & { secret: string }>('POST', '/webhooks', {
          url: String(data.get('url')),
          events: String(data.get('events')).split(/[\s,]+/).filter(Boolean),
          ...(description ? { description } : {}),
        }).then((w) => { form.reset(); props.onCreated(w); }, setError);
      }}
    >
      <label>URL <input name="url" type="url" required placeholder="https://example.org/hook" /></label>
      <label>Events <input name="events" required placeholder="media.*" /></label>
      <label>Description <input name="description" /></label>
      <button type="submit">Create webhook</button>
      {error ? <ErrorBox error={error} /> : null}
    </form>
  );
}

function SecretOnce(props: { id: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | undefined>();
  return (
    <Dialog title="Signing secret" class="secret" onClose={props.onDone}>
      <p>The signing secret of <span class="mono">{props.id}</span>. It is shown only now: copy it to the receiver.</p>
      <code class="mono secret-value">{props.secret}</code>
      <div class="actions">
        <button type="button" autofocus onClick={() => copyText(props.secret).then(setCopied)}>{copied ? 'Copied' : 'Copy'}</button>
        <button type="button" onClick={props.onDone}>Done</button>
        {copied === false ? <span class="error" role="alert">Copy did not work here: select the secret and copy it.</span> : null}
      </div>
    </Dialog>
  );
}

/** The clipboard when the page may use it (a secure context), else a hidden textarea and execCommand. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (permissions, an insecure origin): try the old way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } finally {
    area.remove();
  }
}

/** Headers as "Name: value" lines, and back. */
const headerLines = (headers: Record<string, string>) => Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n');
function parseHeaderLines(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [n, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon < 1) return `line ${n + 1}: "Name: value" expected`;
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

function EditWebhook(props: { webhook: WebhookView; onClose: () => void; onSaved: () => void }) {
  const w = props.webhook;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title="Edit webhook" onClose={props.onClose}>
      <form
        class="edit-webhook"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const headers = parseHeaderLines(String(data.get('headers') ?? ''));
          if (typeof headers === 'string') return setError(new Error(`Headers, ${headers}`));
          const timeout = String(data.get('timeoutMs') ?? '').trim();
          const description = String(data.get('description') ?? '').trim();
          const form: Record<string, unknown> = {
            url: String(data.get('url')),
            events: String(data.get('events')).split(/[\s,]+/).filter(Boolean),
            description: description || null,
            headers,
            timeoutMs: timeout ? Number(timeout) : null,
            enabled: data.get('enabled') === 'on',
          };
          // Only what changed: re-sending enabled: true would reset the failure count.
          const was = w as unknown as Record<string, unknown>;
          const changes = Object.fromEntries(Object.entries(form).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(was[k] ?? null)));
          if (Object.keys(changes).length === 0) return props.onClose();
          setError(undefined);
          setBusy(true);
          api('PATCH', `/webhooks/${encodeURIComponent(w.id)}`, changes).then(props.onSaved, setError).finally(() => setBusy(false));
        }}
      >
        <label>URL <input name="url" type="url" required value={w.url} /></label>
        <label>Events <input name="events" required value={w.events.join(', ')} /></label>
        <label>Description <input name="description" value={w.description ?? ''} /></label>
        <label>Headers (one "Name: value" a line) <textarea name="headers" rows={3} value={headerLines(w.headers)} /></label>
        <label>Timeout per attempt, ms (empty: the default) <input name="timeoutMs" type="number" min={100} value={w.timeoutMs ?? ''} /></label>
        <label class="inline"><input name="enabled" type="checkbox" checked={w.enabled} /> Enabled</label>
        {error ? <ErrorBox error={error} /> : null}
        <div class="actions">
          <button type="submit" disabled={busy}>Save</button>
          <button type="button" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

function Deliveries(props: { id: string }) {
  const load = useLoad(() => api<{ items: Delivery[]; nextCursor: string | null }>('GET', `/webhooks/${encodeURIComponent(props.id)}/deliveries?limit=50`), [props.id]);
  return (
    <section class="deliveries">
      <h2>Deliveries of {props.id} <button type="button" class="link" onClick={() => navigate('/webhooks')}>close</button> <button type="button" onClick={load.reload}>Refresh</button></h2>
      <Loaded load={load}>
        {({ items }) =>
          items.length === 0 ? <Empty>No deliveries yet.</Empty> : items.map((d) => (
            <div key={d.id}>
              <p class="muted"><Link to={`/events/${encodeURIComponent(d.eventId)}`}>{d.eventType}</Link> · <Time at={d.createdAt} /></p>
              <DeliveryView delivery={d} admin onChange={load.reload} />
            </div>
          ))
        }
      </Loaded>
    </section>
  );
}
