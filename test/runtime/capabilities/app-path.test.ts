// ctx.apps paths stay under the app's base URL: a table of what is refused and what it becomes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveAppUrl } from '../../../runtime/capabilities/app-path.ts';

const BASE = new URL('http://radarr.lan:7878/radarr');

describe('resolveAppUrl', () => {
  const allowed: Array<[string, string]> = [
    ['/api/v3/movie/42', 'http://radarr.lan:7878/radarr/api/v3/movie/42'],
    ['/api/v3/movie?tmdbId=438631', 'http://radarr.lan:7878/radarr/api/v3/movie?tmdbId=438631'],
    ['/api/v3/movie/42?deleteFiles=false&x=..', 'http://radarr.lan:7878/radarr/api/v3/movie/42?deleteFiles=false&x=..'],
    ['/api/v3/tag/a%20b', 'http://radarr.lan:7878/radarr/api/v3/tag/a%20b'],
  ];
  for (const [path, href] of allowed) {
    it(`allows ${path}`, () => {
      const url = resolveAppUrl(BASE, path);
      assert.ok(url instanceof URL, String(url));
      assert.equal(url.href, href);
    });
  }

  const refused: unknown[] = [
    'http://evil.example/api', 'https://radarr.lan:7878/radarr/api', '//evil.example/api', 'api/v3/movie',
    '/../api', '/api/../../x', '/api/%2e%2e/%2e%2e/x', '/api/%2E%2E/x', '/api/.%2e/x', '/./api', '/api/..%2fx',
    '/api/%2f%2fevil', '/api\\..\\x', '/api/v3#frag', '/api v3', '/api/\n', '/%zz', '', 42, null, `/${'a'.repeat(5000)}`,
  ];
  for (const path of refused) {
    it(`refuses ${JSON.stringify(path)?.slice(0, 40)}`, () => {
      assert.equal(typeof resolveAppUrl(BASE, path), 'string');
    });
  }

  it('keeps a base without a path at the root', () => {
    assert.equal((resolveAppUrl(new URL('http://127.0.0.1:8989/'), '/api/v3/series/1') as URL).href, 'http://127.0.0.1:8989/api/v3/series/1');
  });
});
