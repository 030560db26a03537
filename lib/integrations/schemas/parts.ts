// JSON Schema (draft-07) building blocks for the *arr apps' webhook bodies. Permissive on
// purpose: extra properties pass (the apps add fields between versions), nothing the app may
// leave out is required (Newtonsoft omits null properties), and null passes where the app's
// property is a reference type. Only what every version sends is required.

export type Schema = Record<string, unknown>;

const nullable = (type: string) => ({ type: [type, 'null'] });

export const str = nullable('string');
export const int = { type: 'integer' };
export const num = { type: 'number' };
export const bool = { type: 'boolean' };
/** A .NET DateTime, serialized as ISO 8601 UTC ("2025-03-14T21:37:05.8734512Z"). */
export const dateTime = { type: ['string', 'null'], description: 'ISO 8601, UTC.' };
export const list = (items: Schema): Schema => ({ type: ['array', 'null'], items });
export const strList = list({ type: 'string' });
export const intList = list({ type: 'integer' });

export function obj(properties: Record<string, Schema>, required: string[] = [], description?: string): Schema {
  return {
    type: ['object', 'null'],
    ...(description === undefined ? {} : { description }),
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** A string the app's serializer writes from a camelCase enum: the known values are described, not enforced. */
export const camelEnum = (values: string[]) => ({ type: ['string', 'null'], description: `One of ${values.map((v) => `"${v}"`).join(', ')} (newer versions may add values).` });

export const language = obj({ id: int, name: str }, [], 'A language: {"id": 1, "name": "English"}.');
export const image = obj({ coverType: camelEnum(['poster', 'banner', 'fanart', 'screenshot', 'headshot', 'clearlogo', 'unknown']), url: str, remoteUrl: str });
export const customFormatInfo = obj({ customFormats: list(obj({ id: int, name: str })), customFormatScore: int });
export const downloadClientFields = { downloadClient: str, downloadClientType: str, downloadId: str };
export const mediaInfo = obj({
  audioChannels: num,
  audioCodec: str,
  audioLanguages: strList,
  height: int,
  width: int,
  subtitles: strList,
  videoCodec: str,
  videoDynamicRange: str,
  videoDynamicRangeType: str,
});
/** The release of a grab (WebhookRelease): what the indexer offered. Lidarr's and Readarr's. */
export const basicRelease = {
  quality: str,
  qualityVersion: int,
  releaseGroup: str,
  releaseTitle: str,
  indexer: str,
  size: int,
  customFormatScore: int,
  customFormats: strList,
};
/** Radarr's and Sonarr's add the languages and indexer flags (Sonarr since v5). */
export const grabRelease = { ...basicRelease, languages: list(language), indexerFlags: strList };
export const downloadInfo = obj({ quality: str, qualityVersion: int, title: str, indexer: str, size: int });
export const downloadStatusMessages = list(obj({ title: str, messages: strList }));
/** A file of Lidarr and Readarr (track or book file). */
export const plainFile = { id: int, path: str, quality: str, qualityVersion: int, releaseGroup: str, sceneName: str, size: int, dateAdded: dateTime };

/** A whole body: `eventType` fixed, the base fields every body ends with, then the event's own. */
export function body(eventType: string, properties: Record<string, Schema>, required: string[] = []): Schema {
  return {
    type: 'object',
    required: ['eventType', ...required],
    properties: {
      eventType: { const: eventType },
      instanceName: { ...str, description: 'Settings → General → Instance Name.' },
      applicationUrl: { ...str, description: 'Settings → General → Application URL ("" when unset; left out of some events).' },
      ...properties,
    },
  };
}

/** Health, HealthRestored and ApplicationUpdate: the same in every app. */
export function healthAndUpdates(extra: { healthRestored: boolean }): Record<string, Schema> {
  const health = {
    level: camelEnum(['ok', 'notice', 'warning', 'error']),
    message: str,
    type: { ...str, description: 'The health check that reported it, e.g. "DownloadClientStatusCheck".' },
    wikiUrl: str,
  };
  return {
    Health: body('Health', health, ['level', 'message']),
    ...(extra.healthRestored ? { HealthRestored: body('HealthRestored', health, ['level', 'message']) } : {}),
    ApplicationUpdate: body('ApplicationUpdate', { message: str, previousVersion: str, newVersion: str }, ['message']),
  };
}
