// A hook's permissions: the grant in words, from the daemon's `grant` (what each permission
// reaches now: fetch hosts, where each env value comes from, apps configured, emit types), and,
// on an API module hook, a form that changes them (PATCH /hooks/:id); file hooks (with their
// path) and command hooks read-only. Admin only, like every hooks page.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ErrorBox } from '../view.tsx';
import type { HookView } from './hooks.tsx';

export interface HookGrant {
  progress: true;
  emit: string[];
  fetch: { hosts: string[]; maxResponseBytes: number };
  env: Array<{ name: string; from: 'secrets' | 'environment' | 'unset' | 'refused' }>;
  apps: Array<{ name: string; ready: boolean; problem?: string }>;
}

const ENV_FROM: Record<HookGrant['env'][number]['from'], string> = {
  secrets: 'from the config\'s secrets',
  environment: 'from the daemon\'s environment',
  unset: 'not set now: absent',
  refused: 'refused: never given to a hook',
};

function bytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(n % (1 << 20) ? 1 : 0)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}

/** One sentence per capability: what the hook may reach, and what it may not. */
export function grantSentences(grant: HookGrant): Array<[string, ComponentChildren]> {
  const { fetch, env, apps, emit } = grant;
  return [
    ['fetch', fetch.hosts.length
      ? `ctx.fetch may reach ${fetch.hosts.join(', ')} and nothing else (answers read up to ${bytes(fetch.maxResponseBytes)}).`
      : 'ctx.fetch reaches nothing: every call is denied.'],
    ['env', env.length
      ? `ctx.env holds ${env.map((e) => `${e.name} (${ENV_FROM[e.from]})`).join(', ')}; no other variable.`
      : 'ctx.env is empty: no variable, no secret.'],
    ['apps', apps.length
      ? `ctx.apps may call ${apps.map((a) => (a.ready ? `${a.name} (configured)` : `${a.name} (not usable: ${a.problem ?? 'not configured'})`)).join(', ')}.`
      : 'ctx.apps calls no app.'],
    ['emit', emit.length
      ? <>ctx.emit may raise the catalog's {emit.length} business types (raised as new events, up to the depth limit). <details><summary>Which</summary>{emit.join(', ')}</details></>
      : 'ctx.emit may raise nothing.'],
    ['progress', 'ctx.log and ctx.progress always work (progress is live only, never stored).'],
  ];
}

export function GrantText(props: { grant?: HookGrant }) {
  if (!props.grant) return <p class="muted">The daemon did not describe this hook's grant.</p>;
  return (
    <ul class="grant" aria-label="What the permissions grant">
      {grantSentences(props.grant).map(([id, text]) => <li key={id} data-grant={id}>{text}</li>)}
    </ul>
  );
}

const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);

export function HookPermissions(props: { hook: HookView }) {
  // The hook as last saved here: its grant follows each save.
  const [h, setHook] = useState(props.hook);
  const editable = h.origin === 'api' && h.kind === 'module';
  const p = h.permissions;
  const [net, setNet] = useState((p.net ?? []).join(', '));
  const [env, setEnv] = useState((p.env ?? []).join(', '));
  const [apps, setApps] = useState((p.apps ?? []).join(', '));
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const why = h.origin === 'file'
    ? <>Read-only: from the file <span class="mono">{h.file}</span>; change its permissions there.</>
    : h.kind !== 'module' ? 'Permissions apply to module hooks; a command hook gets the variables named in its env.' : null;
  return (
    <section class="permissions card" aria-labelledby="permissions-heading">
      <h2 id="permissions-heading">Permissions</h2>
      <GrantText grant={h.grant} />
      {why ? <p class="muted read-only">{why}</p> : null}
      {editable ? (
        <form
          class="fields"
          onSubmit={(e) => {
            e.preventDefault();
            setError(undefined);
            setSaved(false);
            setBusy(true);
            api<HookView>('PATCH', `/hooks/${encodeURIComponent(h.id)}`, { permissions: { net: list(net), env: list(env), apps: list(apps) } })
              .then((updated) => { setSaved(true); setHook(updated); }, setError)
              .finally(() => setBusy(false));
          }}
        >
          <label>Fetch hosts (permissions.net) <input name="permNet" placeholder="api.example.org, *.tvdb.org:443" value={net} onInput={(e) => { setSaved(false); setNet(e.currentTarget.value); }} /></label>
          <label>Env names (permissions.env) <input name="permEnv" placeholder="NOTIFY_URL" value={env} onInput={(e) => { setSaved(false); setEnv(e.currentTarget.value); }} /></label>
          <label>Apps (permissions.apps) <input name="permApps" placeholder="radarr, sonarr/4k" value={apps} onInput={(e) => { setSaved(false); setApps(e.currentTarget.value); }} /></label>
          <button type="submit" disabled={busy}>Save permissions</button>
          {saved ? <span class="ok" role="status">Permissions saved.</span> : null}
          {error ? <ErrorBox error={error} /> : null}
        </form>
      ) : null}
    </section>
  );
}
