// Hooks (admin): every hook with its state, failures and why it was disabled; enable and
// disable; module hooks open in the editor, file and command hooks read-only (files with their path).
import { useState } from 'preact/hooks';
import { api, listAll } from '../api.ts';
import { Link } from '../router.tsx';
import { Empty, ErrorBox, Loaded, useLoad } from '../view.tsx';
import type { HookGrant } from './hook-permissions.tsx';

export interface HookView {
  id: string;
  name: string;
  origin: 'api' | 'file';
  file?: string;
  kind: 'module' | 'command';
  mode: 'filter' | 'action';
  events: string[];
  priority: number;
  source?: string | null;
  command?: string[] | null;
  permissions: { net?: string[]; env?: string[]; apps?: string[] };
  grant?: HookGrant;
  timeoutMs: number | null;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  version: number;
}

export function HooksPage() {
  const load = useLoad(async () => ({ items: await listAll<HookView>('/hooks') }), []);
  const [error, setError] = useState<unknown>();
  function setEnabled(hook: HookView, enabled: boolean): void {
    setError(undefined);
    api('PATCH', `/hooks/${encodeURIComponent(hook.id)}`, { enabled }).then(load.reload, setError);
  }
  return (
    <section>
      <h1>Hooks <Link to="/hooks/new" class="button">New module hook</Link></h1>
      {error ? <ErrorBox error={error} /> : null}
      <Loaded load={load}>
        {({ items }) =>
          items.length === 0 ? <Empty>No hooks yet: create one, or put a file in the hooks directory.</Empty> : (
            <table class="list hooks cards">
              <thead><tr><th>Name</th><th>Mode</th><th>Events</th><th>State</th><th>Failures</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {items.map((h) => (
                  <tr key={h.id} data-hook={h.name}>
                    <td>
                      <Link to={`/hooks/${encodeURIComponent(h.id)}`}>{h.name}</Link>
                      <div class="muted">{h.origin === 'file' ? `file ${h.file ?? ''}` : `${h.kind}, v${h.version}`}</div>
                    </td>
                    <td data-label="Mode">{h.mode}</td>
                    <td data-label="Events">{h.events.join(', ')}</td>
                    <td data-label="State">
                      <span class={`status ${h.enabled ? 'enabled' : 'disabled'}`}>{h.enabled ? 'enabled' : 'disabled'}</span>
                      {h.disabledReason ? <div class="error small">{h.disabledReason}</div> : null}
                    </td>
                    <td data-label="Failures">{h.consecutiveFailures}</td>
                    <td>
                      <button type="button" onClick={() => setEnabled(h, !h.enabled)}>{h.enabled ? 'Disable' : 'Enable'}</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
