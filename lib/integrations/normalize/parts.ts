// Pieces every app's normalizer uses: reading an untrusted body defensively (a field of the
// wrong type reads as absent, never throws) and the fields all normalized payloads share.
import type { ArrApp } from '../arr-apps.ts';

export type Json = Record<string, unknown>;

/** Which body is being normalized, and where it came from. */
export interface Source {
  app: ArrApp;
  /** The URL's {instance} segment; "default" without one. */
  instance: string;
  /** The app's eventType as sent. */
  eventType: string;
}

/** A normalizer: the payload of the media event derived from a body (undefined: none). */
export type Normalize = (body: Json, source: Source) => Json | undefined;

export const objectAt = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
export const objectsAt = (value: unknown): Json[] => (Array.isArray(value) ? value.map(objectAt) : []);
/** A non-empty string. */
export const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
export const integer = (value: unknown): number | undefined => (Number.isSafeInteger(value) ? (value as number) : undefined);
/** An id: the apps send 0 (or "") for one they do not know. */
export const idOf = (value: unknown): number | string | undefined => (integer(value) ? (value as number) : text(value));
export const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
export const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);
/** Language objects ({id, name}) as their names. */
export const languageNames = (value: unknown): string[] => objectsAt(value).flatMap((l) => (text(l.name) ? [l.name as string] : []));

/** The object without its undefined properties, so that the stored payload says only what is known. */
export function compact(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** The fields every normalized payload starts with. */
export function origin(body: Json, source: Source): Json {
  return compact({ app: source.app, instance: source.instance, instanceName: text(body.instanceName), appEventType: source.eventType });
}

/** The library item's ids: only those the app knows; tmdbId/tvdbId/imdbId also at the top (the media.added schema's names). */
export function withIds(ids: Record<string, unknown>): Json {
  const known = compact(Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, Array.isArray(v) ? (v.length > 0 ? v : undefined) : idOf(v)])));
  return compact({ ids: known, tmdbId: known.tmdb, tvdbId: known.tvdb, imdbId: known.imdb });
}

/** Health and HealthRestored: the app's level as hookd's (info, warning, error), the app's own kept as appLevel. */
export const normalizeHealth: Normalize = (body, source) => {
  const appLevel = text(body.level);
  const level = appLevel === undefined ? 'warning' : (LEVELS[appLevel.toLowerCase()] ?? 'warning');
  return compact({
    ...origin(body, source),
    level,
    appLevel,
    message: text(body.message) ?? '',
    source: text(body.type),
    wikiUrl: text(body.wikiUrl),
    raw: body,
  });
};
const LEVELS: Readonly<Record<string, string>> = { ok: 'info', notice: 'info', warning: 'warning', error: 'error' };

export const normalizeUpdate: Normalize = (body, source) =>
  compact({
    ...origin(body, source),
    message: text(body.message) ?? '',
    previousVersion: text(body.previousVersion),
    newVersion: text(body.newVersion),
    raw: body,
  });

/** A file as the normalized payloads list it (movie, episode, track or book file). */
export function fileOf(file: Json): Json {
  return compact({
    path: text(file.path),
    relativePath: text(file.relativePath),
    quality: text(file.quality),
    qualityVersion: integer(file.qualityVersion),
    size: integer(file.size),
    releaseGroup: text(file.releaseGroup),
    sceneName: text(file.sceneName),
    sourcePath: text(file.sourcePath),
    previousPath: text(file.previousPath),
    previousRelativePath: text(file.previousRelativePath),
    recycleBinPath: text(file.recycleBinPath),
  });
}

/** A grab's release (or the grab history's, on import): title, indexer, size, quality and what the app scored. */
export function releaseOf(release: Json): Json {
  return compact({
    title: text(release.releaseTitle),
    indexer: text(release.indexer),
    size: integer(release.size),
    quality: text(release.quality),
    qualityVersion: integer(release.qualityVersion),
    releaseGroup: text(release.releaseGroup),
    customFormats: Array.isArray(release.customFormats) ? texts(release.customFormats) : undefined,
    customFormatScore: integer(release.customFormatScore),
    indexerFlags: Array.isArray(release.indexerFlags) ? texts(release.indexerFlags) : undefined,
    languages: Array.isArray(release.languages) ? languageNames(release.languages) : undefined,
    releaseType: text(release.releaseType),
  });
}

/** downloadClient, downloadClientType and downloadId, when sent. */
export function downloadOf(body: Json): Json {
  return compact({ downloadClient: text(body.downloadClient), downloadClientType: text(body.downloadClientType), downloadId: text(body.downloadId) });
}

/** Grab: the release sent to the download client, for the media item (`media`) it is for. */
export function grabbed(media: Json, body: Json): Json {
  const release = releaseOf(objectAt(body.release));
  return compact({ ...media, quality: release.quality, release, ...downloadOf(body), indexer: release.indexer, size: release.size, raw: body });
}

/** ManualInteractionRequired (Radarr and Sonarr): the download is the subject; the media item when the app matched one. */
export function manualInteraction(media: Json, body: Json): Json {
  const info = objectAt(body.downloadInfo);
  return compact({
    ...media,
    title: media.title ?? text(info.title),
    downloadTitle: text(info.title),
    quality: text(info.quality),
    size: integer(info.size),
    downloadStatus: text(body.downloadStatus),
    statusMessages: objectsAt(body.downloadStatusMessages).map((m) => compact({ title: text(m.title), messages: texts(m.messages) })),
    release: releaseOf(objectAt(body.release)),
    ...downloadOf(body),
    raw: body,
  });
}
