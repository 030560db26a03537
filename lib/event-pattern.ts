// Event-type patterns as hooks, webhooks and stream filters use them: "media.added" matches
// itself, "*" matches any run of characters (dots included). Owns the syntax, the limits, a
// linear-time matcher (no regex, no backtracking) and the translation to the set of catalog
// types that storage queries with `type IN (...)` instead of SQL LIKE.
import { errors } from './errors.ts';

export type EventPattern = (type: string) => boolean;

/** Policy: how long one pattern may be and how many one hook, webhook or filter may list. */
export const PATTERN_LIMITS = Object.freeze({ maxLength: 200, maxCount: 100 });

const PATTERN_SYNTAX = /^[a-z0-9_*-]+(\.[a-z0-9_*-]+)*$/;

export function isValidPattern(pattern: string): boolean {
  // Length first: nothing longer than the limit is ever matched against a regex.
  return pattern.length <= PATTERN_LIMITS.maxLength && PATTERN_SYNTAX.test(pattern);
}

/**
 * Checks a client's list of patterns: a 400 naming the limit or the malformed entry, with a
 * pointer made by `pointerOf(index)` (a JSON pointer, or a query parameter's name).
 */
export function checkPatternList(list: readonly unknown[], what: string, pointerOf: (index?: number) => Record<string, string>): string[] {
  if (list.length > PATTERN_LIMITS.maxCount) {
    throw errors.validation(`${what} lists ${list.length} patterns; the limit is ${PATTERN_LIMITS.maxCount} (event patterns)`, pointerOf());
  }
  return list.map((p, i) => {
    if (typeof p === 'string' && p.length > PATTERN_LIMITS.maxLength) {
      throw errors.validation(
        `${what}: pattern ${i} is ${p.length} characters long; the limit is ${PATTERN_LIMITS.maxLength} (event patterns)`,
        pointerOf(i),
      );
    }
    if (typeof p !== 'string' || !isValidPattern(p)) {
      const shown = typeof p === 'string' ? `"${p}"` : JSON.stringify(p) ?? String(p);
      throw errors.validation(`${what}: ${shown} is malformed: an event-type pattern is dotted lowercase names and * ("download.*", "media.added")`, pointerOf(i));
    }
    return p;
  });
}

/**
 * The literal pieces between stars, runs of stars collapsed: "a**.b*" -> ["a", ".b", ""].
 * A pattern without a star is one piece.
 */
function piecesOf(pattern: string): string[] {
  return pattern.replace(/\*+/g, '*').split('*');
}

/**
 * Glob matching by literal pieces: the first piece is a prefix, the last a suffix, and each
 * middle piece is found left to right with indexOf. Taking the leftmost occurrence is always
 * right for `*`-only globs (it leaves the most room for what follows), so there is no
 * backtracking: at most one scan of the type per piece, whatever the number of stars.
 */
function matchPieces(pieces: readonly string[], type: string): boolean {
  if (pieces.length === 1) return type === pieces[0];
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (type.length < first.length + last.length || !type.startsWith(first) || !type.endsWith(last)) return false;
  let at = first.length;
  const end = type.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    const found = type.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

export function compilePattern(pattern: string): EventPattern {
  const pieces = piecesOf(pattern);
  return (type) => matchPieces(pieces, type);
}

// Types come from the catalog, so a filter sees few distinct ones: remember each answer
// (bounded, so a caller with endless distinct strings cannot grow it).
const MEMO_LIMIT = 1024;

export function compilePatterns(patterns: readonly string[]): EventPattern {
  const compiled = patterns.map(piecesOf);
  const memo = new Map<string, boolean>();
  return (type) => {
    const known = memo.get(type);
    if (known !== undefined) return known;
    const matches = compiled.some((pieces) => matchPieces(pieces, type));
    if (memo.size < MEMO_LIMIT) memo.set(type, matches);
    return matches;
  };
}

/**
 * What storage queries for a list of patterns: `type IN (result)`. A pattern without a star
 * stands for itself (events of a type since removed from the catalog stay reachable); one
 * with stars for the catalog types it matches. Never SQL LIKE, whose matching can blow up.
 */
export function typesMatching(patterns: readonly string[], catalogTypes: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of patterns) if (!p.includes('*')) out.add(p);
  const starred = patterns.filter((p) => p.includes('*'));
  if (starred.length > 0) {
    const matches = compilePatterns(starred);
    for (const t of catalogTypes) if (matches(t)) out.add(t);
  }
  return [...out];
}
