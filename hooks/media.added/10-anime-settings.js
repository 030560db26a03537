// @ts-check
// A filter hook: when an anime series or movie is added, switch it to the anime quality
// profile, prefer the usual fansub groups and search with absolute episode numbers.
// The application applies what it gets back from POST /events?wait=true.

export const config = {
  mode: 'filter',
  description: 'Anime gets the Anime quality profile, preferred release groups and search options',
};

const ANIME_GENRES = ['anime', 'animation (japanese)'];
const PREFERRED_GROUPS = ['SubsPlease', 'Erai-raws', 'Judas'];

/**
 * @param {import('../../types/hookd').HookEvent<'media.added'>} event
 * @param {import('../../types/hookd').HookContext} ctx
 */
export default function animeSettings(event, ctx) {
  const { genres = [], tags = [], title } = event.payload;
  const isAnime =
    genres.some((g) => ANIME_GENRES.includes(g.toLowerCase())) || tags.some((t) => t.toLowerCase() === 'anime');
  if (!isAnime) return undefined; // nothing to change

  ctx.log.info(`"${title}" looks like anime: applying anime settings`);
  return {
    patch: {
      qualityProfile: 'Anime',
      tags: [...new Set([...tags, 'anime'])],
      preferredReleaseGroups: PREFERRED_GROUPS,
      searchOptions: { absoluteEpisodeNumbers: true, seasonFolders: false },
    },
  };
}
