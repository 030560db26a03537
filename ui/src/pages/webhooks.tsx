// Webhooks (admin): every endpoint with its state and why it was disabled; create (the secret
// is shown once, with copy), enable/disable, test ping, rotate the secret, and an endpoint's
// deliveries with every attempt.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Link, navigate } from '../router.tsx';
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
  createdAt: string;
}

export function WebhooksPage(props: { open?: string }) {
  const load = useLoad(() => api<{ items: WebhookView[] }>('GET', '/webhooks'), []);
  const [secret, setSecret] = useState<{ id: string; secret: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<unknown>();
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
            <table class="list webhooks">
              <thead><tr><th>URL</th><th>Events</th><th>State</th><th>Failures</th><th></th></tr></thead>
              <tbody>
                {items.map((w) => (
                  <tr key={w.id} data-webhook={w.url}>
                    <td><Link to={`/webhooks/${encodeURIComponent(w.id)}`}>{w.url}</Link>{w.description ? <div class="muted">{w.description}</div> : null}</td>
                    <td>{w.events.join(', ')}</td>
                    <td>
                      <span class={`status ${w.enabled ? 'enabled' : 'disabled'}`}>{w.enabled ? 'enabled' : 'disabled'}</span>
                      {w.disabledReason ? <div class="error small">{w.disabledReason}</div> : null}
                    </td>
                    <td>{w.consecutiveFailures}</td>
                    <td class="buttons">
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
  const [copied, setCopied] = useState(false);
  return (
    <div class="card secret" role="alert">
      <p>The signing secret of <span class="mono">{props.id}</span>. It is shown only now: copy it to the receiver.</p>
      <code class="mono secret-value">{props.secret}</code>
      <div class="actions">
        <button type="button" onClick={() => navigator.clipboard?.writeText(props.secret).then(() => setCopied(true), () => setCopied(false))}>{copied ? 'Copied' : 'Copy'}</button>
        <button type="button" onClick={props.onDone}>Done</button>
      </div>
    </div>
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
