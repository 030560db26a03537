// Variables several apps set the same way from the same body fields: health checks, application
// updates, the download client and item. Pure data.
import { flags, join, joinDates, joinField, list, obj, pascal, text } from './format.ts';
import { at, type VarTable } from './table.ts';

/** Set the same way by Grab, Download and ManualInteractionRequired of every app. */
export const DOWNLOAD_CLIENT: VarTable = [
  ['download_client', (b) => text(b.downloadClient)],
  ['download_client_type', (b) => text(b.downloadClientType)],
  ['download_id', (b) => text(b.downloadId)],
];

/** HealthIssue (`health_issue_*`) and HealthRestored (`health_restored_*`): the level is the enum name. */
export function healthVars(kind: 'issue' | 'restored'): VarTable {
  return [
    [`health_${kind}_level`, (b) => pascal(b.level)],
    [`health_${kind}_message`, (b) => text(b.message)],
    [`health_${kind}_type`, (b) => text(b.type)],
    [`health_${kind}_wiki`, (b) => text(b.wikiUrl)],
  ];
}

export const UPDATE_VARS: VarTable = [
  ['update_message', (b) => text(b.message)],
  ['update_newversion', (b) => text(b.newVersion)],
  ['update_previousversion', (b) => text(b.previousVersion)],
];

export const DOWNLOAD_ITEM_VARS: VarTable = [
  ['download_size', at('downloadInfo', 'size')],
  ['download_title', at('downloadInfo', 'title')],
];


/** `<what>_deletedfiles` of the delete events: the body's `deletedFiles` flag, `True`/`False`. */
export function deletedFilesVar(name: string): readonly [string, (b: Record<string, unknown>) => string] {
  return [name, (b) => (b.deletedFiles === true ? 'True' : 'False')];
}

/**
 * Lidarr's and Readarr's imports: the added files' paths when there are any, the replaced files'
 * paths and dates when there were (the body sends `deletedFiles` only then).
 */
export function importedPaths(filesKey: string, addedName: string): VarTable {
  const some = (value: unknown) => list(value).length > 0;
  return [
    [addedName, (b) => (some(b[filesKey]) ? joinField(b[filesKey], 'path', '|') : undefined)],
    ['deletedpaths', (b) => (some(b.deletedFiles) ? joinField(b.deletedFiles, 'path', '|') : undefined)],
    ['deleteddateadded', (b) => (some(b.deletedFiles) ? joinDates(b.deletedFiles, 'dateAdded', '|') : undefined)],
  ];
}

const release = (b: Record<string, unknown>) => obj(b.release) ?? {};

/** The grabbed release as Sonarr, Lidarr and Readarr list it (Radarr orders it otherwise). */
export const GRABBED_RELEASE: VarTable = [
  ['release_title', at('release', 'releaseTitle')],
  ['release_indexer', at('release', 'indexer')],
  ['release_size', at('release', 'size')],
  ['release_quality', at('release', 'quality')],
  ['release_qualityversion', at('release', 'qualityVersion')],
  ['release_releasegroup', at('release', 'releaseGroup')],
  // Bodies without the flags (Sonarr v4, Lidarr, Readarr): "0", as for a release without any.
  ['release_indexerflags', (b) => flags(release(b).indexerFlags)],
];

/** Grab's custom formats: the release's names (Radarr, Sonarr, Lidarr), or older bodies' customFormatInfo. */
export const GRAB_CUSTOM_FORMATS: VarTable = [
  ['release_customformat', (b) => (Array.isArray(release(b).customFormats) ? join(release(b).customFormats, '|') : joinField(obj(b.customFormatInfo)?.customFormats, 'name', '|'))],
  ['release_customformatscore', (b) => text(release(b).customFormatScore ?? obj(b.customFormatInfo)?.customFormatScore)],
];
