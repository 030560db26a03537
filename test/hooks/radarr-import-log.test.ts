// hooks/radarr.download/50-radarr-import-log.sh: a Radarr Custom Script run unchanged through
// `arrScript`, by the real daemon on the repo's own hooks directory (as `npm start` loads it)
// for bodies posted as Radarr posts them, and by `hookd run-hook`.
import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { arrFixture } from '../fixtures/arr/index.ts';
import { createExampleRunner, REPO } from './example-runner.ts';

const FILE = 'hooks/radarr.download/50-radarr-import-log.sh';
const DUNE = 'Dune (2021) [Remux-2160p] -> /movies/Dune (2021)/Dune (2021) {tmdb-438631} [Remux-2160p][HDR10][TrueHD Atmos 7.1]-FraMeSToR.mkv (from qBittorrent)';

describe(FILE, () => {
  const temp = makeTempDir();
  const importLog = join(temp.dir, 'imports.log');
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon({ config: { hooks: { dir: join(REPO, 'hooks'), watch: false }, secrets: { IMPORT_LOG: importLog } } });
  });
  after(async () => {
    await d.close();
    temp.remove();
  });

  const post = (fixture: string, method: 'POST' | 'PUT') =>
    request(d.url, method, '/integrations/radarr', undefined, {
      token: null,
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`radarr:${EVENTS_TOKEN}`).toString('base64')}` },
      raw: arrFixture(fixture).text,
    });
  const runsOf = async (eventId: string, hookId: string) =>
    ((await d.call('GET', `/events/${eventId}`)).body.invocations as Array<{ hookId: string; status: string; logs: Array<{ level: string; message: string }> }>).filter((i) => i.hookId === hookId);

  it('is executable, and loads with every other example as a command hook with arrScript "radarr"', async () => {
    accessSync(join(REPO, FILE), constants.X_OK);
    const hooks = (await d.call('GET', '/hooks')).body.items as Array<{ file?: string; enabled: boolean; disabledReason: string | null; kind: string; arrScript?: string }>;
    assert.deepEqual(hooks.filter((h) => !h.enabled).map((h) => `${h.file}: ${h.disabledReason}`), [], 'every example loads on a fresh machine');
    const hook = hooks.find((h) => h.file === 'radarr.download/50-radarr-import-log.sh');
    assert.ok(hook);
    assert.equal(hook.kind, 'command');
    assert.equal(hook.arrScript, 'radarr');
  });

  it("logs Radarr's Test, and each import and upgrade (title, year, quality, path) to the log and to IMPORT_LOG", async () => {
    const test = await post('radarr-test', 'POST');
    const imported = await post('radarr-download', 'PUT');
    const upgraded = await post('radarr-download-upgrade', 'POST');
    for (const r of [test, imported, upgraded]) assert.equal(r.status, 200, r.text);
    await d.daemon.idle();
    const hookId = ((await d.call('GET', '/hooks')).body.items as Array<{ id: string; name: string }>).find((h) => h.name === 'radarr-import-log')!.id;
    const messages = async (eventId: string) => {
      const runs = await runsOf(eventId, hookId);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.status, 'ok', JSON.stringify(runs[0]));
      // stdout lines are info; a note says the optional NTFY_URL is not set (warn).
      return runs[0]!.logs.filter((l) => l.level === 'info').map((l) => l.message);
    };
    assert.deepEqual(await messages(test.body.id), ['Custom Script test from Radarr: OK']);
    assert.deepEqual(await messages(imported.body.id), [`Imported: ${DUNE}`]);
    assert.deepEqual(await messages(upgraded.body.id), [`Upgraded: ${DUNE}`]);
    const lines = readFileSync(importLog, 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /, '')), [`Imported: ${DUNE}`, `Upgraded: ${DUNE}`]);
  });

  it('runs under `hookd run-hook` with a Radarr body as the payload', async () => {
    const runner = createExampleRunner();
    try {
      const report = await runner.run({ file: FILE, eventType: 'radarr.download', payload: arrFixture('radarr-download').body });
      assert.equal(report.status, 'ok', report.error?.message);
      assert.deepEqual(report.logs.filter((l) => l.level === 'info').map((l) => l.message), [`Imported: ${DUNE}`]);
    } finally {
      await runner.close();
    }
  });
});
