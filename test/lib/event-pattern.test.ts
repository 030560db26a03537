// Event-type patterns: the matching rule as a table (stars, dots, the characters SQL LIKE
// would treat as wildcards), the catalog translation storage queries with, the limits, and
// patterns built by an attacker to make a backtracking matcher explode.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPatternList, compilePattern, compilePatterns, isValidPattern, PATTERN_LIMITS, typesMatching } from '../../lib/event-pattern.ts';

const STARS_30 = '*'.repeat(30);

describe('event patterns', () => {
  test('the matching rule, case by case', () => {
    const cases: Array<[pattern: string, type: string, matches: boolean]> = [
      ['media.added', 'media.added', true],
      ['media.added', 'media.added2', false],
      ['media.added', 'xmedia.added', false],
      ['download.*', 'download.progress', true],
      ['download.*', 'download.', true],
      ['download.*', 'download', false],
      ['download.*', 'xdownload.progress', false],
      ['*.completed', 'download.completed', true],
      ['*.completed', 'library.scan.completed', true],
      ['*.completed', 'download.completedx', false],
      ['*', 'anything.at.all', true],
      ['media.*.x', 'media.a.b.x', true],
      ['media.*.x', 'media.x', false],
      ['a*a', 'a', false], // prefix and suffix may not overlap
      ['a*a', 'aa', true],
      ['a*b*c', 'abc', true],
      ['a*b*c', 'acb', false],
      ['a*b*b*c', 'abbc', true],
      ['a*b*b*c', 'abc', false],
      ['*ab*ab*', 'xabyab', true],
      ['*ab*ab*', 'xaby', false],
      // A dot is a dot, not "any character" as in a regex.
      ['a.b', 'axb', false],
      ['media.added', 'mediaXadded', false],
      // "_" and "-" are literal, not LIKE's one-character wildcard.
      ['media_x', 'mediaXx', false],
      ['media_x', 'media_x', true],
      ['a-*', 'a-b', true],
      // Runs of stars are one star.
      ['download.**', 'download.progress', true],
      [`${STARS_30}z`, 'media.added', false],
      [`${STARS_30}d`, 'media.added', true],
      [`a${STARS_30}b${STARS_30}c`, 'a.b.c', true],
      [`a${STARS_30}b${STARS_30}c`, 'a.c.b', false],
    ];
    for (const [pattern, type, expected] of cases) {
      assert.equal(compilePattern(pattern)(type), expected, `${pattern} vs ${type}`);
      assert.equal(compilePatterns([pattern])(type), expected, `${pattern} vs ${type} (list)`);
      assert.equal(typesMatching([pattern], [type]).includes(type), expected, `${pattern} vs ${type} (catalog)`);
    }
  });

  test('patterns built to make a backtracking matcher explode answer at once', () => {
    // "*a*a*a…*b" against "aaaa…": exponential for a backtracking regex, one scan per piece here.
    const evil = `${'*a'.repeat(PATTERN_LIMITS.maxLength / 2 - 1)}*b`;
    assert.ok(isValidPattern(evil));
    const type = 'a'.repeat(5000);
    for (let i = 0; i < 100; i++) assert.equal(compilePattern(evil)(type), false);
    assert.equal(compilePattern(`${STARS_30}${'a.'.repeat(50)}z`)(`${'a.'.repeat(2000)}y`), false);
    assert.deepEqual(typesMatching([evil, `${STARS_30}z`], [type, 'media.added']), []);
  });

  test('a list matches when any pattern does, and remembers answers only up to a bound', () => {
    const matches = compilePatterns(['media.*', 'job.progress']);
    assert.equal(matches('media.added'), true);
    assert.equal(matches('job.progress'), true);
    assert.equal(matches('download.progress'), false);
    // Many distinct types (more than any memo keeps) still get right answers.
    for (let i = 0; i < 3000; i++) assert.equal(matches(`media.t${i}`), true);
    assert.equal(compilePatterns([])('media.added'), false);
  });

  test('storage gets the catalog types a starred pattern stands for, and exact types as given', () => {
    const catalog = ['media.added', 'media.updated', 'download.progress', 'hook.executed'];
    assert.deepEqual(typesMatching(['media.*'], catalog).sort(), ['media.added', 'media.updated']);
    // An exact type stays reachable after it left the catalog (stored events keep it).
    assert.deepEqual(typesMatching(['old.type', 'media.added'], catalog).sort(), ['media.added', 'old.type']);
    assert.deepEqual(typesMatching(['media.*', 'media.added'], catalog).sort(), ['media.added', 'media.updated']);
    assert.deepEqual(typesMatching(['nothing.*'], catalog), []);
    assert.deepEqual(typesMatching(['*'], catalog).sort(), [...catalog].sort());
  });

  test('syntax and limits: a 400 that names the entry or the limit', () => {
    for (const good of ['media.added', 'download.*', '*', 'a_b-c.d9', '*.*']) assert.ok(isValidPattern(good), good);
    for (const bad of ['', 'Media.added', 'media added', 'media..added', '.media', 'media.', 'a%b', 'a?b', 'a\\b', `a${'b'.repeat(PATTERN_LIMITS.maxLength)}`]) {
      assert.equal(isValidPattern(bad), false, bad);
    }
    const at = (i?: number) => ({ pointer: i === undefined ? '/events' : `/events/${i}` });
    assert.deepEqual(checkPatternList(['media.*'], 'events', at), ['media.*']);
    assert.throws(() => checkPatternList(Array(PATTERN_LIMITS.maxCount + 1).fill('media.added'), 'events', at), {
      code: 'VALIDATION',
      status: 400,
      message: new RegExp(`lists ${PATTERN_LIMITS.maxCount + 1} patterns; the limit is ${PATTERN_LIMITS.maxCount}`),
      details: { pointer: '/events' },
    });
    assert.throws(() => checkPatternList(['media.added', 'a'.repeat(PATTERN_LIMITS.maxLength + 1)], 'events', at), {
      message: new RegExp(`pattern 1 is ${PATTERN_LIMITS.maxLength + 1} characters long; the limit is ${PATTERN_LIMITS.maxLength}`),
      details: { pointer: '/events/1' },
    });
    assert.throws(() => checkPatternList(['media.added', 42], 'events', at), { message: /42 is malformed/, details: { pointer: '/events/1' } });
    assert.throws(() => checkPatternList(['Media Added'], 'events', at), { message: /"Media Added" is malformed/ });
  });
});
