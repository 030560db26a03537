// Event-type patterns as hooks and webhooks subscribe with them: "media.added" matches itself,
// "*" matches any run of characters (dots included), so "download.*" matches every download
// event and "*.completed" every completion.

export type EventPattern = (type: string) => boolean;

const PATTERN_SYNTAX = /^[a-z0-9_*-]+(\.[a-z0-9_*-]+)*$/;

export function isValidPattern(pattern: string): boolean {
  return PATTERN_SYNTAX.test(pattern);
}

export function compilePattern(pattern: string): EventPattern {
  if (!pattern.includes('*')) return (type) => type === pattern;
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const regex = new RegExp(`^${source}$`);
  return (type) => regex.test(type);
}

export function compilePatterns(patterns: readonly string[]): EventPattern {
  const compiled = patterns.map(compilePattern);
  return (type) => compiled.some((matches) => matches(type));
}
