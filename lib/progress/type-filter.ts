// The type filter of a query: GET /stream and GET /progress (?types=), GET /events (?type=).
// A comma-separated list of event-type patterns ("download.*,job.progress"), repeatable;
// absent or empty means every type. Limits and matching are event-pattern.ts's.
import { checkPatternList, compilePatterns, typesMatching, type EventPattern } from '../event-pattern.ts';

export interface TypeFilter {
  /** undefined: no filter. */
  patterns: string[] | undefined;
  matches: EventPattern;
  /** The types storage queries with `type IN (...)`; undefined: no filter. */
  types: string[] | undefined;
}

export function parseTypeFilter(
  value: string | string[] | undefined,
  options: { parameter: string; catalogTypes: readonly string[] },
): TypeFilter {
  const raw = (Array.isArray(value) ? value.join(',') : (value ?? '')).split(',').map((p) => p.trim()).filter(Boolean);
  if (raw.length === 0) return { patterns: undefined, matches: () => true, types: undefined };
  const patterns = checkPatternList(raw, options.parameter, () => ({ parameter: options.parameter }));
  return { patterns, matches: compilePatterns(patterns), types: typesMatching(patterns, options.catalogTypes) };
}
