// The ISO 8601 text of a time in milliseconds (an event's occurredAt when the client gave none,
// the time of an event hookd raises). Date#toISOString redoes the calendar arithmetic per call and
// was one of the dearer steps of checking a posted event; the text up to the second is kept
// and only the milliseconds are written anew while the second lasts.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** The same text as new Date(ms).toISOString(). */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  const milli = ms - second * 1000;
  if (second !== cachedSecond) {
    const text = new Date(second * 1000).toISOString();
    // Years outside 0000-9999 (or a fraction of a millisecond) are written the ordinary way.
    if (text.length !== 24 || !Number.isInteger(milli)) return new Date(ms).toISOString();
    cachedPrefix = text.slice(0, 20); // YYYY-MM-DDTHH:MM:SS.
    cachedSecond = second;
  } else if (!Number.isInteger(milli)) {
    return new Date(ms).toISOString();
  }
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
