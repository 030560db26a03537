// The environment of a command hook: payload flattening rules, caps, collisions, and that the
// result holds hookd's variables, PATH and the named ones, nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCommandEnv, flattenPayload, toUpperSnake } from '../../../lib/commands/build-env.ts';

const LIMITS = { maxVars: 100, maxValueBytes: 64 };

test('keys become UPPER_SNAKE', () => {
  const cases: Array<[string, string]> = [
    ['title', 'TITLE'],
    ['qualityProfile', 'QUALITY_PROFILE'],
    ['tmdbId', 'TMDB_ID'],
    ['HTTPServer', 'HTTP_SERVER'],
    ['already_snake', 'ALREADY_SNAKE'],
    ['kebab-case key', 'KEBAB_CASE_KEY'],
    ['v2Name', 'V2_NAME'],
    ['$(rm -rf ~)', 'RM_RF'],
    ['élan', 'LAN'],
  ];
  for (const [key, expected] of cases) assert.equal(toUpperSnake(key), expected, key);
});

test('a payload key of 300 000 capitals or underscores (an attacker\'s) converts at once, not in quadratic time', () => {
  // The old ([A-Z]+)([A-Z][a-z]) rewrite took seconds at 40 000 capitals and hours at 1 MiB.
  assert.equal(toUpperSnake('A'.repeat(300_000)), 'A'.repeat(300_000));
  assert.equal(toUpperSnake(`${'A'.repeat(300_000)}b`), `${'A'.repeat(299_999)}_AB`);
  assert.equal(toUpperSnake(`${'_'.repeat(300_000)}a${'_'.repeat(300_000)}`), 'A');
  const { vars } = flattenPayload({ [`${'A'.repeat(300_000)}x`]: 'v', title: 'T' }, LIMITS);
  assert.equal(vars.HOOKD_PAYLOAD_TITLE, 'T');
});

test('scalars are flattened by path: objects by _, arrays by index; null and containers are not variables', () => {
  const { vars, omitted } = flattenPayload(
    {
      title: 'Akira',
      year: 1988,
      monitored: true,
      rating: 8.5,
      genres: ['Animation', 'Sci-Fi'],
      movie: { qualityProfile: 'HD', files: [{ path: '/m/a.mkv' }] },
      missing: null,
      empty: {},
    },
    LIMITS,
  );
  assert.deepEqual(vars, {
    HOOKD_PAYLOAD_TITLE: 'Akira',
    HOOKD_PAYLOAD_YEAR: '1988',
    HOOKD_PAYLOAD_MONITORED: 'true',
    HOOKD_PAYLOAD_RATING: '8.5',
    HOOKD_PAYLOAD_GENRES_0: 'Animation',
    HOOKD_PAYLOAD_GENRES_1: 'Sci-Fi',
    HOOKD_PAYLOAD_MOVIE_QUALITY_PROFILE: 'HD',
    HOOKD_PAYLOAD_MOVIE_FILES_0_PATH: '/m/a.mkv',
  });
  assert.equal(omitted, 0);
});

test('on a name collision the first path in document order wins', () => {
  const { vars, omitted } = flattenPayload({ qualityProfile: 'first', quality_profile: 'second', 'quality-profile': 'third' }, LIMITS);
  assert.deepEqual(vars, { HOOKD_PAYLOAD_QUALITY_PROFILE: 'first' });
  assert.equal(omitted, 2);
});

test('values too long, holding a NUL byte, or past the count cap are left out and counted', () => {
  const { vars, omitted } = flattenPayload({ a: 'x'.repeat(65), b: 'nul\0byte', c: 'ok', d: 'ok too', e: 'one too many' }, { maxVars: 2, maxValueBytes: 64 });
  assert.deepEqual(vars, { HOOKD_PAYLOAD_C: 'ok', HOOKD_PAYLOAD_D: 'ok too' });
  assert.equal(omitted, 3);
});

test('a scalar payload is HOOKD_PAYLOAD itself; deep nesting stops', () => {
  assert.deepEqual(flattenPayload('just text', LIMITS).vars, { HOOKD_PAYLOAD: 'just text' });
  let deep: unknown = 'bottom';
  for (let i = 0; i < 20; i++) deep = { d: deep };
  const { vars, omitted } = flattenPayload(deep, LIMITS);
  assert.deepEqual(vars, {});
  assert.equal(omitted, 1);
});

test('the environment holds hookd variables, PATH, payload and named variables, and hookd variables win', () => {
  const event = { id: 'evt-1', type: 'media.added', occurredAt: '2024-01-01T00:00:00.000Z', payload: { title: '$(touch /tmp/x)' } };
  const { env } = buildCommandEnv({ event, hookName: 'notify', path: '/usr/bin:/bin', named: { NOTIFY_URL: 'http://x', HOOKD_EVENT_ID: 'forged' }, limits: LIMITS });
  assert.deepEqual(env, {
    NOTIFY_URL: 'http://x',
    HOOKD_PAYLOAD_TITLE: '$(touch /tmp/x)',
    PATH: '/usr/bin:/bin',
    HOOKD_EVENT_TYPE: 'media.added',
    HOOKD_EVENT_ID: 'evt-1',
    HOOKD_HOOK_NAME: 'notify',
  });
});
