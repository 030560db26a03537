// Readarr's webhook bodies (Readarr develop, src/NzbDrone.Core/Notifications/Webhook/*.cs).
// Readarr's bodies have no applicationUrl, and it has no HealthRestored event.
import { body, bool, dateTime, downloadClientFields, basicRelease, healthAndUpdates, int, list, obj, plainFile, str, type Schema } from './parts.ts';

const author = obj({ id: int, name: str, path: str, goodreadsId: str }, ['id', 'name']);
const book = obj({
  id: int,
  goodreadsId: str,
  title: str,
  edition: obj({ title: str, goodreadsId: str, asin: str, isbn13: str }),
  releaseDate: dateTime,
});
const bookFile = obj(plainFile);
const release = obj(basicRelease);

export const READARR_SCHEMAS: Readonly<Record<string, Schema>> = {
  Test: body('Test', { author, books: list(book) }),
  Grab: body('Grab', { author, books: list(book), release, ...downloadClientFields }, ['author']),
  Download: body('Download', { author, book, bookFiles: list(bookFile), deletedFiles: list(bookFile), isUpgrade: bool, ...downloadClientFields }, ['author']),
  Rename: body('Rename', { author, renamedBookFiles: list(obj({ ...plainFile, previousPath: str })) }, ['author']),
  AuthorAdded: body('AuthorAdded', { author }, ['author']),
  AuthorDelete: body('AuthorDelete', { author, deletedFiles: bool }, ['author']),
  BookDelete: body('BookDelete', { author, book, deletedFiles: bool }, ['book']),
  BookFileDelete: body('BookFileDelete', { author, book, bookFile }, ['bookFile']),
  Retag: body('Retag', { author, bookFile }, ['author']),
  ...healthAndUpdates({ healthRestored: false }),
};
