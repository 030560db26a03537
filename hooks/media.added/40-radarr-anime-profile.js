// @ts-check
// An action hook using ctx.apps: when Radarr adds an anime movie, switch it to your anime quality
// profile in Radarr itself. Radarr's PUT /api/v3/movie/{id} wants the whole movie, so the hook
// GETs it, changes qualityProfileId and PUTs it all back. Does nothing for other apps or other
// movies; until `integrations.radarr` is configured it only logs that.

export const config = {
  description: 'Radarr: anime movies get the anime quality profile',
  permissions: {
    // ctx.apps.radarr: hookd adds the API key of integrations.radarr; the hook never sees it.
    apps: ['radarr'],
    // The profile's name or id; "Anime" when not set.
    env: ['RADARR_ANIME_PROFILE'],
  },
};

/** @param {Record<string, any>} payload */
function isAnime(payload) {
  const words = [...(payload.genres ?? []), ...(payload.tags ?? [])].map((w) => String(w).toLowerCase());
  if (words.includes('anime')) return true;
  return words.includes('animation') && payload.originalLanguage === 'Japanese';
}

/**
 * @param {import('../../types/hookd').HookEvent<'media.added'>} event
 * @param {import('../../types/hookd').HookContext} ctx
 */
export default async function radarrAnimeProfile(event, ctx) {
  const payload = /** @type {Record<string, any>} */ (event.payload);
  const movieId = payload.ids?.radarr;
  if (payload.app !== 'radarr' || movieId === undefined) return { changed: false, reason: 'not a Radarr movie' };
  if (!isAnime(payload)) return { changed: false, reason: 'not anime' };
  const radarr = ctx.apps?.radarr;
  if (!radarr) return { changed: false, reason: 'no permissions.apps' };
  const wanted = ctx.env && 'RADARR_ANIME_PROFILE' in ctx.env ? ctx.env.RADARR_ANIME_PROFILE : 'Anime';
  try {
    /** @type {Array<{ id: number, name: string }>} */
    const profiles = await radarr.get('/api/v3/qualityprofile');
    const profile = profiles.find((p) => String(p.id) === wanted || p.name.toLowerCase() === wanted.toLowerCase());
    if (!profile) throw new Error(`Radarr has no quality profile "${wanted}" (it has: ${profiles.map((p) => p.name).join(', ')})`);
    const movie = await radarr.get(`/api/v3/movie/${encodeURIComponent(movieId)}`);
    if (movie.qualityProfileId === profile.id) return { changed: false, reason: `already "${profile.name}"` };
    const before = movie.qualityProfileId;
    movie.qualityProfileId = profile.id;
    await radarr.put(`/api/v3/movie/${movie.id}`, movie); // the whole resource, as Radarr requires
    ctx.log.info(`${movie.title}: quality profile ${before} -> "${profile.name}" (${profile.id})`);
    return { changed: true, movieId: movie.id, qualityProfileId: profile.id };
  } catch (err) {
    if (/** @type {any} */ (err).code === 'APP_NOT_CONFIGURED') {
      ctx.log.info('not configured: add integrations.radarr { url, apiKey } to the config');
      return { changed: false, reason: 'radarr not configured' };
    }
    throw err;
  }
}
