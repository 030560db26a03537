// Prowlarr's bodies as media events: a grab has no library item, so its title is the release's.
import { compact, downloadOf, normalizeHealth, normalizeUpdate, objectAt, origin, releaseOf, text, texts, type Normalize } from './parts.ts';

export const PROWLARR_NORMALIZERS: Readonly<Record<string, Normalize>> = {
  Grab: (body, source) => {
    const raw = objectAt(body.release);
    const release = { ...releaseOf(raw), ...compact({ categories: Array.isArray(raw.categories) ? texts(raw.categories) : undefined, publishDate: text(raw.publishDate) }) };
    return compact({
      ...origin(body, source),
      title: release.title ?? '',
      genres: texts(raw.genres),
      tags: [],
      release,
      ...downloadOf(body),
      indexer: release.indexer,
      size: release.size,
      trigger: text(body.trigger),
      requestedBy: text(body.source),
      host: text(body.host),
      raw: body,
    });
  },
  Health: normalizeHealth,
  HealthRestored: normalizeHealth,
  ApplicationUpdate: normalizeUpdate,
};
