// Catalog: every event type with its kind, description, payload schema and a sample payload,
// and (for admins, who alone may list hooks and webhooks) the hooks and webhooks listening to it.
import { api, listAll, matchesPattern } from '../api.ts';
import { Empty, Json, Loaded, useLoad } from '../view.tsx';

export interface CatalogType {
  name: string;
  kind: 'business' | 'progress';
  description: string;
  schema?: unknown;
  sync: boolean;
  meta: boolean;
  /** A payload the schema accepts (absent when none could be built). */
  sample?: unknown;
  sampleFrom?: 'example' | 'generated';
}

let catalogTypes: Promise<CatalogType[]> | undefined;

/** The catalog's types, read once per page load (it changes only with the config); a failure is not kept. */
export function loadCatalog(): Promise<CatalogType[]> {
  catalogTypes ??= api<{ types: CatalogType[] }>('GET', '/catalog').then((r) => r.types);
  catalogTypes.catch(() => { catalogTypes = undefined; });
  return catalogTypes;
}
type Listener = { name: string; events: string[] };

export function CatalogPage(props: { admin: boolean }) {
  const load = useLoad(async () => {
    const types = await loadCatalog();
    let hooks: Listener[] = [];
    let webhooks: Listener[] = [];
    if (props.admin) {
      hooks = await listAll<Listener>('/hooks');
      webhooks = (await listAll<{ url: string; events: string[] }>('/webhooks')).map((w) => ({ name: w.url, events: w.events }));
    }
    return { types, hooks, webhooks };
  }, [props.admin]);
  return (
    <section>
      <h1>Catalog</h1>
      <Loaded load={load}>
        {({ types, hooks, webhooks }) =>
          types.length === 0 ? <Empty>The catalog is empty.</Empty> : types.map((t) => {
            const listening = (list: Listener[]) => list.filter((l) => l.events.some((p) => matchesPattern(p, t.name))).map((l) => l.name);
            const h = listening(hooks);
            const w = listening(webhooks);
            return (
              <article class="card type" key={t.name} data-type={t.name}>
                <header><strong class="mono">{t.name}</strong> <span class="badge">{t.kind}</span>{t.sync ? <span class="badge">sync</span> : null}{t.meta ? <span class="badge">hookd's own</span> : null}</header>
                <p>{t.description}</p>
                {props.admin ? <p class="muted">Hooks: {h.length ? h.join(', ') : 'none'} · Webhooks: {w.length ? w.join(', ') : 'none'}</p> : null}
                {t.schema !== undefined ? <details><summary>Schema</summary><Json value={t.schema} /></details> : null}
                {'sample' in t ? (
                  <details class="sample">
                    <summary>Sample payload <span class="muted">({t.sampleFrom === 'example' ? "the schema's example" : 'built from the schema'})</span></summary>
                    <Json value={t.sample} />
                  </details>
                ) : <p class="muted">No sample: the schema is beyond what hookd builds one for.</p>}
              </article>
            );
          })
        }
      </Loaded>
    </section>
  );
}
