// @ts-check
// An action hook using ctx.apps: when Sonarr adds a series, tag it in Sonarr by genre ("Anime" ->
// tag "anime", "Documentary" -> "documentary", ...), creating missing tags through the tag API.
// Sonarr's PUT /api/v3/series/{id} wants the whole series: GET it, add the tag ids, PUT it back.
// Until `integrations.sonarr` is configured it only logs that.

export const config = {
  description: 'Sonarr: tags new series by genre',
  permissions: { apps: ['sonarr'] },
};

/** Genre (lowercase) -> Sonarr tag label (lowercase letters, digits and "-", as Sonarr wants). */
const TAG_FOR_GENRE = { anime: 'anime', animation: 'animation', documentary: 'documentary', 'reality': 'reality', kids: 'kids' };

/**
 * @param {import('../../types/hookd').HookEvent<'media.added'>} event
 * @param {import('../../types/hookd').HookContext} ctx
 */
export default async function sonarrGenreTags(event, ctx) {
  const payload = /** @type {Record<string, any>} */ (event.payload);
  const seriesId = payload.ids?.sonarr;
  if (payload.app !== 'sonarr' || seriesId === undefined) return { changed: false, reason: 'not a Sonarr series' };
  const labels = [...new Set((payload.genres ?? []).map((/** @type {string} */ g) => TAG_FOR_GENRE[/** @type {keyof typeof TAG_FOR_GENRE} */ (String(g).toLowerCase())]).filter(Boolean))];
  if (labels.length === 0) return { changed: false, reason: 'no genre to tag' };
  const sonarr = ctx.apps?.sonarr;
  if (!sonarr) return { changed: false, reason: 'no permissions.apps' };
  try {
    /** @type {Array<{ id: number, label: string }>} */
    const tags = await sonarr.get('/api/v3/tag');
    const ids = [];
    for (const label of labels) {
      /** @type {{ id: number, label: string }} */
      const tag = tags.find((t) => t.label === label) ?? (await sonarr.post('/api/v3/tag', { label }));
      ids.push(tag.id);
    }
    const series = await sonarr.get(`/api/v3/series/${encodeURIComponent(seriesId)}`);
    const missing = ids.filter((id) => !series.tags.includes(id));
    if (missing.length === 0) return { changed: false, reason: 'already tagged' };
    series.tags = [...series.tags, ...missing];
    await sonarr.put(`/api/v3/series/${series.id}`, series); // the whole resource, as Sonarr requires
    ctx.log.info(`${series.title}: tagged ${labels.join(', ')}`);
    return { changed: true, seriesId: series.id, tags: series.tags };
  } catch (err) {
    if (/** @type {any} */ (err).code === 'APP_NOT_CONFIGURED') {
      ctx.log.info('not configured: add integrations.sonarr { url, apiKey } to the config');
      return { changed: false, reason: 'sonarr not configured' };
    }
    throw err;
  }
}
