// The event catalog: which types exist, their kind (business or progress), payload schema,
// whether the filter chain always runs (sync), and hookd's own meta types.
import type { CatalogEntryConfig } from './config/index.ts';
import { compilePattern } from './event-pattern.ts';
import { createSchemaCompiler, type SchemaProblem, type Validator } from './json-schema.ts';

export interface CatalogType {
  name: string;
  kind: 'business' | 'progress';
  description: string;
  schema: object | boolean | undefined;
  sync: boolean;
  /** hookd's own events: clients cannot post them and they never reach hooks. */
  meta: boolean;
}

export interface Catalog {
  get(type: string): CatalogType | undefined;
  list(): CatalogType[];
  /** Problems of a payload against its type's schema; [] when valid or schemaless. */
  validate(type: string, payload: unknown): SchemaProblem[];
  /** The catalog types a pattern matches. */
  match(pattern: string): CatalogType[];
}

export function createCatalog(entries: Readonly<Record<string, CatalogEntryConfig>>): Catalog {
  const compileSchema = createSchemaCompiler({ lazy: true });
  const types = new Map<string, CatalogType>();
  const validators = new Map<string, Validator>();
  for (const [name, e] of Object.entries(entries)) {
    types.set(name, {
      name,
      kind: e.kind,
      description: e.description ?? '',
      schema: e.schema,
      sync: e.sync ?? false,
      meta: e.meta ?? false,
    });
    // Checked here, compiled once on first use: validation is on the hot path of every POST /events.
    if (e.schema !== undefined) validators.set(name, compileSchema(e.schema as object));
  }
  // Sorted at the first list or match: the first localeCompare sets up ICU's collator (about
  // 15 ms), which `hookd check` would otherwise spend before it reads a hook.
  let sorted: CatalogType[] | undefined;
  const list = () => (sorted ??= [...types.values()].sort((a, b) => a.name.localeCompare(b.name)));
  return {
    get: (type) => types.get(type),
    list,
    validate: (type, payload) => validators.get(type)?.(payload) ?? [],
    match: (pattern) => {
      const matches = compilePattern(pattern);
      return list().filter((t) => matches(t.name));
    },
  };
}
