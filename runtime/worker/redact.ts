// Secret values -> "[redacted]" in everything a hook run leaves behind: text (log lines, error
// messages and stacks, denials) and data (results, emitted payloads, progress). One rule for
// module hooks (in the worker) and command hooks (in the daemon). Built once per set of secret
// values; a run without secrets gets no redactor and pays nothing. Lives in worker/ because
// its job is what leaves a sandboxed call; the daemon reaches it through runtime/index.ts.

/** Shorter values are not redacted: "on" or "1" would shred every log line. */
export const MIN_REDACTED_LENGTH = 4;
export const REDACTED = '[redacted]';

export interface Redactor {
  /** `text` with every form of every secret replaced (the same string when none occurs). */
  text(text: string): string;
  /**
   * Plain data (JSON-parsed or v8-deserialized, owned by the caller) with secrets replaced in
   * every string and key, walked without recursion; containers are changed in place.
   */
  value<T>(value: T): T;
  /**
   * The forms as bytes of V8's serialized strings (Latin-1 and UTF-16LE): a serialized value in
   * which none occurs holds no string to redact, so the common result skips the walk.
   */
  readonly needles: readonly Buffer[];
  /** The length of the longest form: text cut further than this from a secret's start holds all of it. */
  readonly longest: number;
}

// Every way a value can reach stored or served text: as is, JSON-escaped once or twice (a
// secret with `"`, `\`, a newline or a control character logged inside an object), with
// non-ASCII as \uXXXX, URL-encoded (component, form and whole-URL styles, either hex case).
// A multi-line secret also loses each of its lines (a command's output is split into lines).
function formsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const asciiJson = json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const forms = [value, json, JSON.stringify(json).slice(1, -1), asciiJson];
  for (const encode of [encodeURIComponent, encodeURI, (v: string) => new URLSearchParams([['', v]]).toString().slice(1)]) {
    let encoded: string;
    try {
      encoded = encode(value);
    } catch {
      continue; // a lone surrogate cannot be URL-encoded: then no URL holds it either
    }
    forms.push(encoded, encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  if (/[\r\n]/.test(value)) forms.push(...value.split(/\r?\n|\r/));
  return forms.filter((f) => f.length >= MIN_REDACTED_LENGTH);
}

function needlesOf(forms: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  for (const form of forms) {
    if (!/[^\x00-\xff]/.test(form)) out.push(Buffer.from(form, 'latin1'));
    out.push(Buffer.from(form, 'utf16le'));
  }
  return out;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A redactor for these values, or undefined when none is long enough to redact. */
export function createRedactor(values: Iterable<string>): Redactor | undefined {
  const forms = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_REDACTED_LENGTH) continue;
    for (const form of formsOf(value)) forms.add(form);
  }
  if (forms.size === 0) return undefined;
  // Longest first: a form that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);

  function text(input: string): string {
    let out = input;
    for (const form of ordered) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return out;
  }

  function redactKeys(obj: Record<string, unknown>): void {
    for (const key of Object.keys(obj)) {
      const clean = text(key);
      if (clean === key) continue;
      const child = obj[key];
      delete obj[key];
      Object.defineProperty(obj, clean, { value: child, enumerable: true, writable: true, configurable: true });
    }
  }

  function value<T>(root: T): T {
    if (typeof root === 'string') return text(root) as T;
    if (typeof root !== 'object' || root === null) return root;
    const seen = new Set<object>([root]);
    const stack: object[] = [root];
    // Strings come back redacted; containers are queued once each (results may be cyclic).
    const clean = (child: unknown): unknown => {
      if (typeof child === 'string') return text(child);
      if (typeof child === 'object' && child !== null && !seen.has(child)) {
        seen.add(child);
        stack.push(child);
      }
      return child;
    };
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i += 1) {
          const child = clean(node[i]);
          if (child !== node[i]) node[i] = child;
        }
      } else if (node instanceof Map) {
        const entries = [...node.entries()];
        node.clear();
        for (const [k, v] of entries) node.set(clean(k), clean(v));
      } else if (node instanceof Set) {
        const members = [...node];
        node.clear();
        for (const m of members) node.add(clean(m));
      } else if (node instanceof Error) {
        // Defined, not assigned: after lockdown() Error.prototype is frozen.
        for (const key of ['message', 'stack']) {
          const own = Object.getOwnPropertyDescriptor(node, key);
          if (typeof own?.value === 'string') Object.defineProperty(node, key, { ...own, value: text(own.value) });
        }
      } else if (isPlainObject(node)) {
        redactKeys(node);
        for (const key of Object.keys(node)) {
          const child = clean(node[key]);
          if (child !== node[key]) node[key] = child;
        }
      }
    }
    return root;
  }

  return { text, value, needles: needlesOf(ordered), longest: ordered[0]!.length };
}

/** Whether serialized bytes may hold a secret (see Redactor.needles). */
export function mayHoldSecret(bytes: Uint8Array, redactor: Redactor): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return redactor.needles.some((needle) => buffer.includes(needle));
}

/** JSON text the caller just made, parsed, with secrets redacted when its text shows one may be in it. */
export function parseRedacted(json: string, redact: Redactor | undefined): unknown {
  const data = JSON.parse(json) as unknown;
  return redact && redact.text(json) !== json ? redact.value(data) : data;
}

/**
 * One JSON document (a log line) with secrets redacted inside its strings and keys only, so
 * it stays valid JSON even when a secret's text also matches across its structure; text that
 * is not JSON is redacted as text.
 */
export function redactJsonText(json: string, redact: Redactor): string {
  if (redact.text(json) === json) return json;
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return redact.text(json);
  }
  return JSON.stringify(redact.value(data)) + (json.endsWith('\n') ? '\n' : '');
}
