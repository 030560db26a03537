// JSON.stringify of hook data that stops once the text grows past a bound: V8 builds the whole
// text inside its builtin, where a worker at its heap limit aborts the sandbox host, so a
// 200 MB string in a ctx.emit payload must be refused before, not after, it is written out.
// Pure apart from the hook's getters and toJSON, which run as in JSON.stringify.

/** Thrown by stringifyWithin once the text is known to be over its bound. */
export const TOO_LONG: unique symbol = Symbol('JSON text too long');

/**
 * A replacer that counts what each value adds (its key, a string's length, at least 2
 * characters for anything else) and throws `tooLong` past `maxChars`; `inner` maps the value.
 */
export function countingReplacer(maxChars: number, tooLong: unknown, inner?: (key: string, value: unknown) => unknown) {
  let total = 0;
  return function (key: string, value: unknown): unknown {
    total += key.length + (typeof value === 'string' ? value.length : 2);
    if (total > maxChars) throw tooLong;
    return inner ? inner(key, value) : value;
  };
}

/** JSON.stringify(value), or TOO_LONG thrown once the text is over about `maxChars` characters. */
export function stringifyWithin(value: unknown, maxChars: number): string | undefined {
  return JSON.stringify(value, countingReplacer(maxChars, TOO_LONG));
}
