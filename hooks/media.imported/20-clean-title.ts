// A filter hook in TypeScript (types are erased at load; errors keep these line numbers):
// when a file is imported under a release name ("The.Matrix.1999.1080p.BluRay.x264-GRP"),
// give it a clean title ("The Matrix (1999)") and fill in the quality, and make the path safe
// for Windows/SMB shares (":" -> " -", and no ? * < > | "). Clean payloads are left alone.
import type { FilterResult, HookConfig, HookContext, HookEvent, MediaImportedPayload } from '../../types/hookd.ts';

export const config = {
  mode: 'filter',
  description: 'Release-style titles become "Title (Year)"; paths lose characters Windows shares refuse',
} satisfies HookConfig;

// Where the title of a release name ends: the year, or the first quality/source/codec tag.
const YEAR = /^(19|20)\d{2}$/;
const QUALITY = /^(2160p|1080p|720p|576p|480p|4k|uhd)$/i;
const TAGS = /^(bluray|blu-ray|bdrip|brrip|web-?dl|webrip|web|hdtv|dvdrip|remux|hdr|hdr10|dv|x264|x265|h\.?264|h\.?265|hevc|avc|aac|ac3|dts|atmos|proper|repack|extended|s\d{2}e\d{2}|s\d{2})$/i;

interface Parsed {
  title: string;
  year?: string;
  quality?: string;
}

/** "The.Matrix.1999.1080p.BluRay.x264-GRP" -> { title: "The Matrix", year: "1999", quality: "1080p BluRay" }. */
function parseReleaseName(name: string): Parsed | undefined {
  // Only names written with dots or underscores instead of spaces look like releases.
  if (/\s/.test(name.trim()) || !/[._]/.test(name)) return undefined;
  const words = name.split(/[._]+/).filter(Boolean);
  // "x264-GRP": the release group rides on the last word (but "WEB-DL" is a tag).
  const last = words.at(-1) ?? '';
  if (!TAGS.test(last) && /^.+-[A-Za-z0-9]+$/.test(last)) words[words.length - 1] = last.replace(/-[A-Za-z0-9]+$/, '');
  const title: string[] = [];
  let year: string | undefined;
  const quality: string[] = [];
  for (const word of words) {
    if (title.length > 0 && !year && quality.length === 0 && YEAR.test(word)) year = word;
    else if (title.length > 0 && (QUALITY.test(word) || TAGS.test(word))) {
      if (QUALITY.test(word) || /^(bluray|web-?dl|webrip|hdtv|remux)$/i.test(word)) quality.push(word);
    } else if (!year && quality.length === 0) title.push(word);
  }
  if (title.length === 0 || (!year && quality.length === 0)) return undefined;
  return { title: title.join(' '), ...(year ? { year } : {}), ...(quality.length ? { quality: quality.join(' ') } : {}) };
}

/** Each path segment without the characters SMB and Windows refuse; `/` separators kept. */
function safePath(path: string): string {
  return path
    .split('/')
    .map((segment) => segment.replace(/\s*:\s*/g, ' - ').replace(/[?*<>|"]/g, '').replace(/\s{2,}/g, ' '))
    .join('/');
}

export default function cleanTitle(event: HookEvent<'media.imported'>, ctx: HookContext): FilterResult<'media.imported'> {
  const { title, path, quality } = event.payload;
  const patch: Partial<MediaImportedPayload> = {};
  const parsed = parseReleaseName(title);
  if (parsed) {
    patch.title = parsed.year ? `${parsed.title} (${parsed.year})` : parsed.title;
    if (!quality && parsed.quality) patch.quality = parsed.quality;
  }
  if (path !== undefined && safePath(path) !== path) patch.path = safePath(path);
  if (Object.keys(patch).length === 0) return undefined; // already clean
  ctx.log.info(`"${title}" -> ${JSON.stringify(patch)}`);
  return { patch };
}
