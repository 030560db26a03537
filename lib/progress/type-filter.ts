// The ?types= filter of GET /stream and GET /progress: a comma-separated list of event-type
// patterns ("download.*,job.progress"); absent or empty means every type.
import { errors } from '../errors.ts';
import { compilePatterns, isValidPattern, type EventPattern } from '../event-pattern.ts';

export interface TypeFilter {
  /** undefined: no filter. */
  patterns: string[] | undefined;
  matches: EventPattern;
}

// Enough for any real page; it bounds the work each message costs per client.
const MAX_PATTERNS = 50;

export function parseTypeFilter(value: string | string[] | undefined): TypeFilter {
  const raw = (Array.isArray(value) ? value.join(',') : (value ?? '')).split(',').map((p) => p.trim()).filter(Boolean);
  if (raw.length === 0) return { patterns: undefined, matches: () => true };
  if (raw.length > MAX_PATTERNS) throw errors.validation(`types lists ${raw.length} patterns; the limit is ${MAX_PATTERNS}`);
  const bad = raw.find((p) => !isValidPattern(p));
  if (bad !== undefined) {
    throw errors.validation(`types: "${bad}" is not an event-type pattern such as "download.*" or "job.progress"`, {
      pointer: 'types',
    });
  }
  return { patterns: raw, matches: compilePatterns(raw) };
}
