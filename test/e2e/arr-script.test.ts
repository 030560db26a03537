// Custom Scripts unchanged: a command hook with `arrScript` run by the real daemon for the bodies
// Radarr, Sonarr, Lidarr, Readarr and Prowlarr send (HTTP Basic, POST and PUT), as a real program that writes the
// environment it got. Its `<app>_*` variables are compared one by one with what the app's
// CustomScript.cs sets for the same event (the expectations of the table's unit tests); nothing
// of the daemon's own environment gets through; the app's script is not run for another app's
// events; `arrScript` is refused where it cannot work.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { request, type Reply } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { CASES as RADARR_CASES } from '../fixtures/arr-script/radarr-cases.ts';
import { CASES as SONARR_CASES } from '../fixtures/arr-script/sonarr-cases.ts';
import { CASES as LIDARR_CASES } from '../fixtures/arr-script/lidarr-cases.ts';
import { CASES as PROWLARR_CASES } from '../fixtures/arr-script/prowlarr-cases.ts';
import { CASES as READARR_CASES } from '../fixtures/arr-script/readarr-cases.ts';

const DUMP = fileURLToPath(new URL('../fixtures/commands/arr-env-dump.sh', import.meta.url));
const dumps = makeTempDir();
let d: TestDaemon;
const hookIds: Record<string, string> = {};

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'latin1').toString('base64')}`;
const bodyText = (app: string, fixture: string) => readFileSync(new URL(`../fixtures/arr-script/${app}/${fixture}.json`, import.meta.url), 'utf8');

function send(app: string, text: string, method: 'POST' | 'PUT'): Promise<Reply> {
  const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: basic(app, EVENTS_TOKEN) };
  return request(d.url, method, `/integrations/${app}`, undefined, { token: null, headers, raw: text });
}

/** The environment the program wrote for this event, or undefined when it did not run. */
function dumpOf(eventId: string): Record<string, string> | undefined {
  const file = join(dumps.dir, eventId);
  if (!existsSync(file)) return undefined;
  const env: Record<string, string> = {};
  for (const entry of readFileSync(file, 'utf8').split('\0')) {
    if (entry === '') continue;
    const at = entry.indexOf('=');
    env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

const only = (env: Record<string, string>, prefix: string) => Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith(prefix)));

// What a command hook gets besides the app's variables: hookd's, PATH, what it was granted; dash adds PWD.
const HOOKD_OWN = new Set(['HOOKD_EVENT_TYPE', 'HOOKD_EVENT_ID', 'HOOKD_HOOK_NAME', 'PATH', 'ARR_ENV_DUMP', 'PWD']);
function assertNothingElse(env: Record<string, string>, app: string): void {
  const other = Object.keys(env).filter((k) => !k.startsWith(`${app}_`) && !HOOKD_OWN.has(k) && !k.startsWith('HOOKD_PAYLOAD_'));
  assert.deepEqual(other, [], 'no variable of the daemon or of another app');
  assert.equal(env.PATH, process.env.PATH);
}

async function createHook(definition: Record<string, unknown>): Promise<string> {
  const r = await d.call('POST', '/hooks', { kind: 'command', mode: 'action', command: [DUMP], env: ['ARR_ENV_DUMP'], ...definition });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

const invocations = async (eventId: string, hook: string) => {
  const r = await d.call('GET', `/events/${eventId}`);
  assert.equal(r.status, 200, r.text);
  return (r.body.invocations as Array<{ hookId: string; status: string; logs: Array<{ level: string; message: string }> }>).filter((i) => i.hookId === hookIds[hook]);
};

before(async () => {
  // A variable of the daemon's own environment that must not reach the program.
  process.env.ARR_SCRIPT_TEST_DAEMON_SECRET = 'never-in-a-hook';
  d = await startTestDaemon({ config: { hooks: { watch: false }, secrets: { ARR_ENV_DUMP: dumps.dir } } });
  hookIds.radarr = await createHook({ name: 'radarr-script', events: ['radarr.*'], arrScript: 'radarr' });
  hookIds.sonarr = await createHook({ name: 'sonarr-script', events: ['sonarr.*'], arrScript: 'sonarr' });
  hookIds.lidarr = await createHook({ name: 'lidarr-script', events: ['lidarr.*'], arrScript: 'lidarr' });
  hookIds.prowlarr = await createHook({ name: 'prowlarr-script', events: ['prowlarr.*'], arrScript: 'prowlarr' });
  hookIds.readarr = await createHook({ name: 'readarr-script', events: ['readarr.*'], arrScript: 'readarr' });
  hookIds.imported = await createHook({ name: 'radarr-on-import', events: ['media.imported'], arrScript: 'radarr' });
});
after(async () => {
  delete process.env.ARR_SCRIPT_TEST_DAEMON_SECRET;
  await d.close();
  dumps.remove();
});

describe('a command hook with arrScript gets the variables the app\'s Custom Script gets', () => {
  const cases = [
    ...RADARR_CASES.map((c) => ({ app: 'radarr', ...c })),
    ...SONARR_CASES.map((c) => ({ app: 'sonarr', ...c })),
    ...LIDARR_CASES.map((c) => ({ app: 'lidarr', ...c })),
    ...PROWLARR_CASES.map((c) => ({ app: 'prowlarr', ...c })),
    ...READARR_CASES.map((c) => ({ app: 'readarr', ...c })),
  ].filter((c) => c.facts === undefined); // facts come from the app's API, which this daemon has not
  for (const [index, c] of cases.entries()) {
    const method = index % 2 === 0 ? 'POST' : 'PUT';
    test(`${c.app} ${c.name} (${method})`, async () => {
      const r = await send(c.app, bodyText(c.app, c.fixture), method);
      assert.equal(r.status, 200, r.text);
      await d.daemon.idle();
      const runs = await invocations(r.body.id, c.app);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.status, 'ok', JSON.stringify(runs[0]));
      const env = dumpOf(r.body.id);
      assert.ok(env, 'the program ran');
      assert.deepEqual(only(env, `${c.app}_`), c.env);
      assertNothingElse(env, c.app);
      assert.equal(env.HOOKD_EVENT_ID, r.body.id);
      assert.equal(env.HOOKD_EVENT_TYPE, r.body.type);
      assert.equal(env.HOOKD_HOOK_NAME, `${c.app}-script`);
      assert.equal(env.ARR_ENV_DUMP, dumps.dir);
    });
  }
});

describe('which events run the script', () => {
  test('a normalized event from the app (media.imported from a Radarr Download) gets the variables of the body it came from', async () => {
    const r = await send('radarr', bodyText('radarr', 'download-upgrade'), 'POST');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.normalized?.type, 'media.imported');
    await d.daemon.idle();
    const fromRaw = dumpOf(r.body.id)!;
    const fromNormalized = dumpOf(r.body.normalized.id);
    assert.ok(fromNormalized, 'the media.imported hook ran');
    const expected = RADARR_CASES.find((c) => c.fixture === 'download-upgrade' && !c.facts)!.env;
    assert.deepEqual(only(fromNormalized, 'radarr_'), expected);
    assert.deepEqual(only(fromNormalized, 'radarr_'), only(fromRaw, 'radarr_'));
    assert.equal(fromNormalized.radarr_isupgrade, 'True');
    assert.equal(fromNormalized.HOOKD_EVENT_TYPE, 'media.imported');
    assertNothingElse(fromNormalized, 'radarr');
  });

  test("another app's event and a plain POST /events event do not start Radarr's script; the invocation says why", async () => {
    const sonarr = await send('sonarr', bodyText('sonarr', 'download'), 'PUT');
    assert.equal(sonarr.body.normalized?.type, 'media.imported');
    const plain = await d.call('POST', '/events', { type: 'media.imported', payload: { title: 'Home video', path: '/x/y.mkv' } }, { token: EVENTS_TOKEN });
    assert.equal(plain.status, 202, plain.text);
    await d.daemon.idle();
    for (const [id, from] of [[sonarr.body.normalized.id, ' from "sonarr"'], [plain.body.id, '']] as const) {
      assert.equal(dumpOf(id), undefined, 'the program did not run');
      const runs = await invocations(id, 'imported');
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.status, 'ok', 'not a failure: the app would not have run it either');
      assert.equal(runs[0]!.logs[0]!.level, 'info');
      assert.equal(runs[0]!.logs[0]!.message, `not run: this hook runs Radarr's Custom Script (arrScript "radarr"), and media.imported${from} is not an event Radarr sent (Radarr runs its script only for its own events)`);
    }
  });

  test("an event the app sends to webhooks only (Lidarr's DownloadFailure) does not start its script; the invocation says why", async () => {
    const r = await send('lidarr', bodyText('lidarr', 'download-failure'), 'POST');
    assert.equal(r.status, 200, r.text);
    await d.daemon.idle();
    assert.equal(dumpOf(r.body.id), undefined, 'the program did not run');
    const runs = await invocations(r.body.id, 'lidarr');
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.status, 'ok');
    assert.equal(runs[0]!.logs[0]!.message, 'not run: Lidarr does not run its Custom Script for DownloadFailure (it sends that event to webhooks only)');
  });
});

describe('the arrScript field', () => {
  test('is shown, changed and removed through the API', async () => {
    const shown = await d.call('GET', `/hooks/${hookIds.radarr}`);
    assert.equal(shown.body.arrScript, 'radarr');
    const id = await createHook({ name: 'plain-command', events: ['media.added'] });
    assert.equal((await d.call('GET', `/hooks/${id}`)).body.arrScript, null);
    const set = await d.call('PATCH', `/hooks/${id}`, { arrScript: 'sonarr' });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.arrScript, 'sonarr');
    const cleared = await d.call('PATCH', `/hooks/${id}`, { arrScript: null });
    assert.equal(cleared.body.arrScript, null);
    const listed = (await d.call('GET', '/hooks')).body.items;
    assert.ok(JSON.stringify(listed).includes('"arrScript":"radarr"'));
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['on a module hook', { kind: 'module', source: 'export default () => {}', arrScript: 'radarr' }, /arrScript is for command hooks only/],
    ['for an app hookd does not know', { kind: 'command', command: [DUMP], arrScript: 'plex' }, /arrScript/],
  ];
  for (const [what, definition, message] of refused) {
    test(`is refused ${what}: 400 VALIDATION naming the field`, async () => {
      const r = await d.call('POST', '/hooks', { name: 'refused', events: ['media.added'], mode: 'action', ...definition });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error.code, 'VALIDATION');
      assert.match(r.body.error.message, message);
      assert.match(JSON.stringify(r.body.error.details), /\/arrScript/);
    });
  }

  test('is refused on a module hook by PATCH too', async () => {
    const created = await d.call('POST', '/hooks', { name: 'a-module', events: ['media.added'], mode: 'action', source: 'export default () => {}' });
    assert.equal(created.status, 201, created.text);
    const r = await d.call('PATCH', `/hooks/${created.body.id}`, { arrScript: 'radarr' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.details.pointer, '/arrScript');
  });
});
