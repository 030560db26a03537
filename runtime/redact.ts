// Secret values -> "[redacted]" in the text a call leaves behind: log lines, error messages and
// stacks. Built once per set of env grants; a call without secrets pays nothing.

/** Shorter values are not redacted: "on" or "1" would shred every log line. */
export const MIN_REDACTED_LENGTH = 4;
const MARKER = '[redacted]';

export type Redactor = (text: string) => string;

/** A redactor for these values (and their URL-encoded forms), or undefined when none qualifies. */
export function createRedactor(values: Iterable<string>): Redactor | undefined {
  const secrets = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_REDACTED_LENGTH) continue;
    secrets.add(value);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) secrets.add(encoded);
  }
  if (secrets.size === 0) return undefined;
  // Longest first: a secret that contains another is replaced whole.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of ordered) {
      if (out.includes(secret)) out = out.split(secret).join(MARKER);
    }
    return out;
  };
}
