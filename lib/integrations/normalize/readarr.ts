// Readarr's bodies as media events: the author is the library item (a book for BookDelete and
// BookFileDelete).
import { compact, downloadOf, fileOf, grabbed, integer, normalizeHealth, normalizeUpdate, objectAt, objectsAt, origin, text, withIds, type Json, type Normalize, type Source } from './parts.ts';

function authorOf(body: Json, source: Source): Json {
  const author = objectAt(body.author);
  return compact({
    ...origin(body, source),
    mediaType: 'author',
    title: text(author.name),
    ...withIds({ readarr: author.id, goodreads: author.goodreadsId }),
    genres: [],
    tags: [],
    path: text(author.path),
  });
}

const bookOf = (book: Json): Json => compact({ id: integer(book.id), title: text(book.title), goodreadsId: text(book.goodreadsId), releaseDate: text(book.releaseDate) });

/** A book as the subject: its title, the author beside it. */
function bookSubject(body: Json, source: Source): Json {
  const book = objectAt(body.book);
  const author = authorOf(body, source);
  return compact({ ...author, mediaType: 'book', title: text(book.title), author: author.title, ...withIds({ readarr: book.id, goodreads: book.goodreadsId }) });
}

export const READARR_NORMALIZERS: Readonly<Record<string, Normalize>> = {
  Grab: (body, source) => grabbed({ ...authorOf(body, source), books: objectsAt(body.books).map(bookOf) }, body),
  Download: (body, source) => {
    const files = objectsAt(body.bookFiles).map(fileOf);
    return compact({
      ...authorOf(body, source),
      book: body.book === undefined ? undefined : bookOf(objectAt(body.book)),
      quality: files[0]?.quality,
      isUpgrade: body.isUpgrade === true,
      importComplete: true,
      files,
      replacedFiles: objectsAt(body.deletedFiles).map(fileOf),
      ...downloadOf(body),
      raw: body,
    });
  },
  Rename: (body, source) => compact({ ...authorOf(body, source), files: objectsAt(body.renamedBookFiles).map(fileOf), raw: body }),
  AuthorAdded: (body, source) => compact({ ...authorOf(body, source), raw: body }),
  AuthorDelete: (body, source) => compact({ ...authorOf(body, source), deleteFiles: body.deletedFiles === true, raw: body }),
  BookDelete: (body, source) => compact({ ...bookSubject(body, source), deleteFiles: body.deletedFiles === true, raw: body }),
  BookFileDelete: (body, source) => {
    const file = fileOf(objectAt(body.bookFile));
    return compact({ ...bookSubject(body, source), quality: file.quality, files: [file], raw: body });
  },
  Health: normalizeHealth,
  ApplicationUpdate: normalizeUpdate,
};
