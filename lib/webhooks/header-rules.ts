// Which extra headers an endpoint may ask for: names that are HTTP tokens, values Node can put
// on the wire, within bounds, and never one hookd sets itself. One rule for registration (a 422)
// and for each send (rows stored before the rule existed fail their attempt, never the sender).

export const MAX_HEADERS = 50;
export const MAX_HEADER_NAME = 100;
export const MAX_HEADER_VALUE = 4096;
/** Names and values together: receivers commonly refuse more than 8-16 KiB of headers. */
export const MAX_HEADERS_BYTES = 16_384;

// RFC 9110 token; the same set Node's own check (checkIsHttpToken) accepts.
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// RFC 9110 field-value as Node sends it (checkInvalidHeaderChar): HTAB, visible ASCII, SP and
// obs-text (Latin-1). Anything else (CTLs, DEL, "€", a lone surrogate) makes http.request throw.
const NOT_SENDABLE = /[^\t\x20-\x7e\x80-\xff]/;
// The signature, framing and routing headers are hookd's (or Node's) to set.
const RESERVED = /^(webhook-.*|x-hookd-.*|content-type|content-length|content-encoding|host|transfer-encoding|connection|keep-alive|proxy-connection|upgrade|te|trailer|expect|http2-settings)$/i;

/** Why a header cannot be set on an endpoint, or undefined when it can. */
export function headerProblem(name: string, value: unknown): string | undefined {
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
  if (name.length === 0 || name.length > MAX_HEADER_NAME || !TOKEN.test(name)) {
    return `header name ${shown} is not an HTTP token: use 1 to ${MAX_HEADER_NAME} letters, digits and !#$%&'*+.^_\`|~-`;
  }
  if (RESERVED.test(name)) return `header ${shown} is set by hookd and cannot be overridden`;
  // A token, but as a key of the headers object it is the prototype: Node drops it from the request.
  if (name === '__proto__') return `header ${shown} cannot be sent (it names the prototype of a JavaScript object)`;
  if (typeof value !== 'string') return `header ${shown} must have a string value`;
  if (value.length > MAX_HEADER_VALUE) return `header ${shown} is longer than ${MAX_HEADER_VALUE} characters`;
  const bad = NOT_SENDABLE.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `header ${shown} holds U+${code} at position ${bad.index}, which HTTP cannot carry: use visible ASCII, spaces and tabs (Latin-1 at most)`;
  }
  return undefined;
}

/** Why a set of headers cannot be sent, with the JSON pointer of the culprit; undefined when it can. */
export function headersProblem(headers: unknown): { message: string; pointer: string } | undefined {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return { message: '"headers" must be an object of header names to string values', pointer: '/headers' };
  }
  const entries = Object.entries(headers as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) return { message: `"headers" may hold at most ${MAX_HEADERS} headers`, pointer: '/headers' };
  const seen = new Set<string>();
  let bytes = 0;
  for (const [name, value] of entries) {
    const pointer = `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const problem = headerProblem(name, value);
    if (problem) return { message: problem, pointer };
    const lower = name.toLowerCase();
    if (seen.has(lower)) return { message: `header "${name}" is given twice (names are case-insensitive)`, pointer };
    seen.add(lower);
    bytes += name.length + (value as string).length;
  }
  if (bytes > MAX_HEADERS_BYTES) return { message: `"headers" hold ${bytes} bytes; at most ${MAX_HEADERS_BYTES} are sent`, pointer: '/headers' };
  return undefined;
}
