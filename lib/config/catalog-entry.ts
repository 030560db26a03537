// One catalog entry as the configuration gives it. Apart from the rest of the config's types so
// that lib/integrations/catalog.ts, which the config's normalizer imports, can name it without
// an import cycle.
export interface CatalogEntryConfig {
  kind: 'business' | 'progress';
  description?: string;
  schema?: object | boolean;
  sync?: boolean;
  meta?: boolean;
}
