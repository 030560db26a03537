// Readarr's Custom Script variables (`readarr_*`) per webhook event, in the order
// src/NzbDrone.Core/Notifications/CustomScript/CustomScript.cs adds them (Readarr, branch develop;
// the project is retired and its last code is what runs), computed from the webhook body
// Notifications/Webhook/WebhookBase.cs builds for the same event. Readarr's script gets no
// instance name and no application URL, and Retag runs it as `TrackRetag`. Pure data.
import { deletedFilesVar, DOWNLOAD_CLIENT, GRABBED_RELEASE, healthVars, importedPaths, UPDATE_VARS } from './common.ts';
import { dotnetDate, joinDates, joinField, list, obj, text, type Json } from './format.ts';
import { vars, type Getter, type ScriptTable, type VarTable } from './table.ts';

const author = (b: Json) => obj(b.author) ?? {};
const book = (b: Json) => obj(b.book) ?? {};
const edition = (b: Json) => obj(book(b).edition) ?? {};
const bookFile = (b: Json) => obj(b.bookFile) ?? {};
const au = (field: string): Getter => (b) => text(author(b)[field]);
const bk = (field: string): Getter => (b) => text(book(b)[field]);
const bf = (field: string): Getter => (b) => text(bookFile(b)[field]);
const none: Getter = () => '';

/**
 * The author (WebhookAuthor: name, path, goodreadsId). The import, rename and add events call the
 * Goodreads id `author_grid`, the delete events `author_goodreadsid`; Grab and BookFileDelete
 * leave the path out.
 */
function authorBlock(idVar: 'author_grid' | 'author_goodreadsid', withPath: boolean): VarTable {
  return [
    ['author_id', au('id')],
    ['author_name', au('name')],
    ...(withPath ? ([['author_path', au('path')]] as const) : []),
    [idVar, au('goodreadsId')],
  ];
}
const AUTHOR = authorBlock('author_grid', true);
const AUTHOR_DELETED = authorBlock('author_goodreadsid', true);

/**
 * The book of the import and retag events: `book_grid` is the monitored edition's Goodreads id
 * (the body's book.edition, which WebhookBook takes from that edition).
 */
const BOOK_EDITION: VarTable = [
  ['book_id', bk('id')],
  ['book_title', bk('title')],
  ['book_grid', (b) => text(edition(b).goodreadsId)],
  ['book_releasedate', (b) => dotnetDate(book(b).releaseDate)],
];
/** The book of the delete events: `book_goodreadsid` is the book's own id (ForeignBookId). */
const BOOK: VarTable = [
  ['book_id', bk('id')],
  ['book_title', bk('title')],
  ['book_goodreadsid', bk('goodreadsId')],
];

const BOOK_FILE: VarTable = [
  ['bookfile_id', bf('id')],
  ['bookfile_path', bf('path')],
  ['bookfile_quality', bf('quality')],
  ['bookfile_qualityversion', bf('qualityVersion')],
  ['bookfile_releasegroup', bf('releaseGroup')],
  ['bookfile_scenename', bf('sceneName')],
];

const GRAB = vars(
  authorBlock('author_grid', false),
  ['release_bookcount', (b) => String(list(b.books).length)],
  ['release_bookreleasedates', (b) => joinDates(b.books, 'releaseDate', ',')],
  ['release_booktitles', (b) => joinField(b.books, 'title', '|')],
  // "|" for the ids too, as Readarr joins them.
  ['release_bookids', (b) => joinField(b.books, 'id', '|')],
  ['release_grids', (b) => list(b.books).map((x) => text(obj(obj(x)?.edition)?.goodreadsId)).join('|')],
  // Readarr's WebhookRelease has no indexer flags: "0".
  GRABBED_RELEASE,
  DOWNLOAD_CLIENT,
);

const DOWNLOAD = vars(AUTHOR, BOOK_EDITION, DOWNLOAD_CLIENT, importedPaths('bookFiles', 'addedbookpaths'));

const BOOK_FILE_DELETE = vars(
  // The reason is not in the body (WebhookBookFileDeletePayload): empty.
  ['delete_reason', none],
  authorBlock('author_goodreadsid', false),
  BOOK,
  BOOK_FILE,
  // The script reads the file's edition; the body has the book's monitored edition (the same
  // unless the file is of another edition) and no edition id.
  ['bookfile_edition_id', none],
  ['bookfile_edition_name', (b) => text(edition(b).title)],
  ['bookfile_edition_goodreadsid', (b) => text(edition(b).goodreadsId)],
  ['bookfile_edition_isbn13', (b) => text(edition(b).isbn13)],
  ['bookfile_edition_asin', (b) => text(edition(b).asin)],
);

// The Retag body carries the author and the book file only: the book and the tag changes are empty.
const TRACK_RETAG = vars(AUTHOR, BOOK_EDITION, BOOK_FILE, ['tags_diff', none], ['tags_scrubbed', none]);

export const READARR_SCRIPT: ScriptTable = {
  app: 'readarr',
  head: [],
  events: {
    Test: { eventType: 'Test', vars: [] },
    Grab: { eventType: 'Grab', vars: GRAB },
    Download: { eventType: 'Download', vars: DOWNLOAD },
    // Only the author: the renamed files are not passed to the script.
    Rename: { eventType: 'Rename', vars: AUTHOR },
    AuthorAdded: { eventType: 'AuthorAdded', vars: AUTHOR },
    AuthorDelete: { eventType: 'AuthorDelete', vars: vars(AUTHOR_DELETED, deletedFilesVar('author_deletedfiles')) },
    BookDelete: { eventType: 'BookDelete', vars: vars(AUTHOR_DELETED, BOOK, deletedFilesVar('book_deletedfiles')) },
    BookFileDelete: { eventType: 'BookFileDelete', vars: BOOK_FILE_DELETE },
    Retag: { eventType: 'TrackRetag', vars: TRACK_RETAG },
    Health: { eventType: 'HealthIssue', vars: healthVars('issue') },
    ApplicationUpdate: { eventType: 'ApplicationUpdate', vars: UPDATE_VARS },
  },
};
