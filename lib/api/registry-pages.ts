// GET /hooks and GET /webhooks as pages: ?limit= and ?cursor= in, { items, nextCursor } out. A
// page ends at `limit` items or at PAGE_BYTES of their text (db/bounded-page.ts), whichever
// comes first; without ?limit= a page holds as many as may exist, so a client that never pages
// still gets them all unless their bytes cut it.
import { encodeKeyset, decodeKeyset, PAGE_BYTES, type KeysetPosition } from '../db/bounded-page.ts';
import { errors } from '../errors.ts';
import { pageOf } from './common-schemas.ts';

/** The largest ?limit= a client may ask for. */
export const REGISTRY_PAGE_MAX = 500;

/** The query of a paged registry listing; `defaultLimit` names the config key the default comes from. */
export function registryPageQuery(defaultLimit: string) {
  return {
    type: 'object',
    properties: {
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: REGISTRY_PAGE_MAX,
        description: `Page size (default ${defaultLimit}, so one page holds them all). A page also ends once its items' text passes ${PAGE_BYTES / 1024 / 1024} MiB (one item always fits); nextCursor then continues.`,
      },
      cursor: { type: 'string', maxLength: 256, description: 'The nextCursor of the previous page.' },
    },
  } as const;
}

/** The answer of a paged registry listing. */
export function registryPage(item: object) {
  return pageOf(item, { field: 'nextCursor', param: 'cursor', type: 'string' });
}

/** A listing's position a cursor names (`tag`: whose cursors these are); a cursor that is not one is a 400. */
export function readRegistryCursor(tag: string, cursor: string | undefined, route: string): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeKeyset(tag, cursor);
  if (!position) throw errors.validation(`query parameter "cursor" is not one that ${route} returned`, { parameter: 'cursor' });
  return position;
}

/** The nextCursor of a page: null on the last. */
export function nextRegistryCursor(tag: string, next: KeysetPosition | undefined): string | null {
  return next ? encodeKeyset(tag, next) : null;
}
