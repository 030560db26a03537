// The README's quick start as a new user runs it: no token configured, the generated admin
// token, and its curl examples (their paths and bodies read from the README itself) against the
// repository's own hooks/ directory, answered as the README's comments say.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Tests and benchmarks'));

interface Example {
  method: string;
  path: string;
  body: Record<string, any>;
}

/** Each `curl -X POST <url> … -d '<json>'` of the section, in order. */
const examples: Example[] = [...section.matchAll(/curl -s -X POST '?http:\/\/127\.0\.0\.1:7700([^\s']+)'?[^]*?-d '([^']+)'/g)].map(([, path, json]) => ({
  method: 'POST',
  path: path!,
  body: JSON.parse(json!) as Record<string, any>,
}));

describe("the README's quick start", () => {
  let d: TestDaemon;
  let token: string;
  before(async () => {
    d = await startTestDaemon({ config: { auth: { tokens: [] }, hooks: { dir: join(REPO, 'hooks') } } });
    const file = join(d.dataDir, 'admin.token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    token = readFileSync(file, 'utf8').trim();
  });
  after(() => d?.close());

  const call = (method: string, path: string, body?: unknown) => request(d.url, method, path, body, { token });

  test('has the three POST examples this test runs', () => {
    assert.deepEqual(examples.map((e) => e.path), ['/events', '/events?wait=true', '/hooks']);
  });

  test('posting an event answers 202 with its id, and reading it back lists the hooks that ran', async () => {
    const [post] = examples;
    const r = await call(post!.method, post!.path, post!.body);
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(Object.keys(r.body).sort(), ['id', 'status', 'type']);
    assert.equal(r.body.type, 'download.completed');
    assert.equal(r.body.status, 'pending', 'hooks/download.completed/ has action hooks owed');
    const event = await waitFor(async () => {
      const e = await call('GET', `/events/${r.body.id}`);
      return e.body.status === 'done' && e.body;
    }, 'the action hooks to run');
    assert.deepEqual(event.payload, post!.body.payload);
    const names = (event.invocations as Array<{ hookName: string; status: string }>).map((i) => i.hookName).sort();
    assert.ok(names.includes('log-download'), JSON.stringify(event.invocations));
  });

  test("a waiting post runs the example anime filter and answers the changed payload", async () => {
    const wait = examples[1]!;
    const r = await call(wait.method, wait.path, wait.body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.type, 'media.added');
    assert.equal(r.body.changed, true);
    assert.equal(r.body.payload.qualityProfile, 'Anime');
    assert.deepEqual(r.body.payload.genres, wait.body.payload.genres);
    assert.equal(r.body.results[0].status, 'ok');
    assert.equal(r.body.results[0].hook.name, 'anime-settings');
  });

  test('registering the "shout" hook answers 201, and the next waiting post runs it after the file filter', async () => {
    const [, wait, hook] = examples;
    const created = await call(hook!.method, hook!.path, hook!.body);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.name, 'shout');
    const r = await call(wait!.method, wait!.path, wait!.body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.payload.title, wait!.body.payload.title.toUpperCase());
    assert.equal(r.body.payload.qualityProfile, 'Anime');
    assert.deepEqual(r.body.results.map((x: { hook: { name: string } }) => x.hook.name), ['anime-settings', 'shout']);
  });
});
