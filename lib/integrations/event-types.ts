// The *arr apps hookd takes webhooks from, and each app's event types: the eventType the app
// sends, the catalog type its body is stored as (`<app>.<event>`), and the media event derived
// from it (if any). Plain data; the schemas and the normalizers are keyed by the same eventType.

import { ARR_APPS, type ArrApp } from './arr-apps.ts';

export interface AppEvent {
  /** What the app sends in `eventType` (PascalCase, as its WebhookEventType enum names it). */
  readonly eventType: string;
  /** The catalog type the body is stored as: `<app>.` + eventSuffix(eventType). */
  readonly type: string;
  /** The normalized catalog type raised from it, with the body's event as its causation. */
  readonly normalized?: string;
  readonly description: string;
}

/**
 * The part of a catalog type after `<app>.`: the app's own eventType split where a capital
 * starts a word, lowercased, joined with dots. `MovieFileDelete` -> `movie.file.delete`, so the
 * type can be read off the app's name for the event and nobody has to learn a second vocabulary.
 */
export function eventSuffix(eventType: string): string {
  return eventType
    .replace(/([a-z0-9])([A-Z])/g, '$1.$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1.$2')
    .toLowerCase();
}

/** Where an eventType hookd does not know (yet) is stored, as it came. Also bodies without one. */
export const unknownTypeOf = (app: ArrApp) => `${app}.unknown`;

// [eventType, normalized type or undefined, what it means]
type Row = readonly [string, string | undefined, string];

// Rows that several apps send alike.
const TEST: Row = ['Test', undefined, 'The Test button of the connection: no media event is derived.'];
const MANUAL_INTERACTION: Row = ['ManualInteractionRequired', 'download.manual.interaction', 'A download needs manual interaction before it can be imported.'];
const HEALTH_AND_UPDATES: readonly Row[] = [
  ['Health', 'health.issue', 'A health check failed (Settings → Connect → On Health Issue).'],
  ['HealthRestored', 'health.restored', 'A failed health check passes again.'],
  ['ApplicationUpdate', 'app.updated', 'The application updated itself.'],
];

const ROWS: Readonly<Record<ArrApp, readonly Row[]>> = {
  radarr: [
    TEST,
    ['Grab', 'download.grabbed', 'A release was sent to the download client.'],
    ['Download', 'media.imported', 'A movie file was imported (also an upgrade: isUpgrade, deletedFiles).'],
    ['Rename', 'media.renamed', "A movie's files were renamed."],
    ['MovieAdded', 'media.added', 'A movie was added to the library.'],
    ['MovieDelete', 'media.removed', 'A movie was removed from the library.'],
    ['MovieFileDelete', 'media.file.removed', "A movie's file was deleted."],
    ...HEALTH_AND_UPDATES,
    MANUAL_INTERACTION,
  ],
  sonarr: [
    TEST,
    ['Grab', 'download.grabbed', 'A release was sent to the download client.'],
    ['Download', 'media.imported', 'Episodes were imported: one file (On File Import, also an upgrade) or a whole download (On Import Complete: episodeFiles).'],
    ['Rename', 'media.renamed', "A series' files were renamed."],
    ['SeriesAdd', 'media.added', 'A series was added to the library.'],
    ['SeriesDelete', 'media.removed', 'A series was removed from the library.'],
    ['EpisodeFileDelete', 'media.file.removed', "An episode's file was deleted."],
    ...HEALTH_AND_UPDATES,
    MANUAL_INTERACTION,
  ],
  lidarr: [
    TEST,
    ['Grab', 'download.grabbed', 'A release was sent to the download client.'],
    ['Download', 'media.imported', "An album's tracks were imported."],
    ['DownloadFailure', 'download.failed', 'A download failed.'],
    ['ImportFailure', 'download.failed', 'A download could not be imported.'],
    ['Rename', 'media.renamed', "An artist's track files were renamed."],
    ['ArtistAdd', 'media.added', 'An artist was added to the library.'],
    ['ArtistDelete', 'media.removed', 'An artist was removed from the library.'],
    ['AlbumDelete', 'media.removed', 'An album was removed from the library.'],
    ['Retag', undefined, "A track file's tags were rewritten."],
    ...HEALTH_AND_UPDATES,
  ],
  readarr: [
    TEST,
    ['Grab', 'download.grabbed', 'A release was sent to the download client.'],
    ['Download', 'media.imported', "A book's files were imported."],
    ['Rename', 'media.renamed', "An author's book files were renamed."],
    ['AuthorAdded', 'media.added', 'An author was added to the library.'],
    ['AuthorDelete', 'media.removed', 'An author was removed from the library.'],
    ['BookDelete', 'media.removed', 'A book was removed from the library.'],
    ['BookFileDelete', 'media.file.removed', "A book's file was deleted."],
    ['Retag', undefined, "A book file's tags were rewritten."],
    ...HEALTH_AND_UPDATES.filter(([eventType]) => eventType !== 'HealthRestored'),
  ],
  prowlarr: [
    TEST,
    ['Grab', 'download.grabbed', 'A release was grabbed through Prowlarr (by an app through its API, or by hand).'],
    ...HEALTH_AND_UPDATES,
  ],
  // Both generations, under one name: v2 (a Sonarr fork: sites as series, scenes as episodes)
  // sends the series events, v3 (a Radarr fork: movies and scenes) the movie events; the rest
  // come from both, each in its fork's shape (schemas/whisparr.ts).
  whisparr: [
    TEST,
    ['Grab', 'download.grabbed', 'A release was sent to the download client (v2: a site and its scenes; v3: a movie or scene).'],
    ['Download', 'media.imported', 'A file was imported (also an upgrade: isUpgrade, deletedFiles).'],
    ['Rename', 'media.renamed', "A site's (v2) or a movie's or scene's (v3) files were renamed."],
    ['SeriesAdd', 'media.added', 'v2: a site was added to the library.'],
    ['SeriesDelete', 'media.removed', 'v2: a site was removed from the library.'],
    ['EpisodeFileDelete', 'media.file.removed', "v2: a scene's file was deleted."],
    ['MovieAdded', 'media.added', 'v3: a movie or scene was added to the library.'],
    ['MovieDelete', 'media.removed', 'v3: a movie or scene was removed from the library.'],
    ['MovieFileDelete', 'media.file.removed', "v3: a movie's or scene's file was deleted."],
    ...HEALTH_AND_UPDATES,
    MANUAL_INTERACTION,
  ],
};

export const APP_EVENTS: Readonly<Record<ArrApp, readonly AppEvent[]>> = Object.fromEntries(
  ARR_APPS.map((app) => [
    app,
    ROWS[app].map(([eventType, normalized, description]): AppEvent => ({
      eventType,
      type: `${app}.${eventSuffix(eventType)}`,
      ...(normalized === undefined ? {} : { normalized }),
      description,
    })),
  ]),
) as unknown as Record<ArrApp, readonly AppEvent[]>;

const BY_NAME = new Map(ARR_APPS.map((app) => [app, new Map(APP_EVENTS[app].map((e) => [e.eventType.toLowerCase(), e]))]));

/** The app's event for what a body says in `eventType`, matched case-insensitively (a relay may change the case). */
export function findAppEvent(app: ArrApp, eventType: unknown): AppEvent | undefined {
  return typeof eventType === 'string' ? BY_NAME.get(app)!.get(eventType.toLowerCase()) : undefined;
}
