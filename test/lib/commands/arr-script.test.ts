// Which events run an arrScript command hook, and with which of the app's variables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrScriptVars } from '../../../lib/commands/arr-script.ts';
import { buildCommandEnv } from '../../../lib/commands/build-env.ts';
import { ARR_APPS } from '../../../lib/integrations/arr-apps.ts';
import { ARR_SCRIPT_APPS } from '../../../lib/integrations/arr-script-env/index.ts';

const event = (type: string, payload: unknown) => ({ id: 'e1', type, occurredAt: '2025-01-01T00:00:00Z', payload });
const test = { eventType: 'Test', instanceName: 'Radarr', applicationUrl: '' };

describe('arrScriptVars', () => {
  it('every app hookd takes webhooks from has a Custom Script table (registration accepts each), but Whisparr', () => {
    assert.deepEqual([...ARR_SCRIPT_APPS].sort(), ARR_APPS.filter((app) => app !== 'whisparr').sort());
    for (const app of ARR_SCRIPT_APPS) assert.ok(arrScriptVars(app, event(`${app}.test`, { eventType: 'Test' })).run, app);
  });

  it("the app's own event runs with its variables, a normalized one with those of the body it came from", () => {
    const own = arrScriptVars('radarr', event('radarr.test', test));
    const normalized = arrScriptVars('radarr', event('media.added', { app: 'radarr', title: 'x', raw: { ...test, eventType: 'MovieAdded', movie: { title: 'Dune' } } }));
    assert.ok(own.run);
    assert.deepEqual({ ...own.vars }, { radarr_eventtype: 'Test', radarr_instancename: 'Radarr', radarr_applicationurl: '' });
    assert.deepEqual(own.omitted, []);
    assert.equal(normalized.run && normalized.vars.radarr_movie_title, 'Dune');
  });

  const notRun: Array<[string, ReturnType<typeof event>]> = [
    ["another app's event", event('sonarr.test', { ...test, instanceName: 'Sonarr' })],
    ["a normalized event from another app", event('media.added', { app: 'sonarr', raw: test })],
    ['a posted event', event('media.added', { title: 'x' })],
    ['a body that is not an object', event('radarr.unknown', 'text')],
  ];
  for (const [what, e] of notRun) {
    it(`${what} does not run it, and says why`, () => {
      const r = arrScriptVars('radarr', e);
      assert.equal(r.run, false);
      assert.match(!r.run ? r.reason : '', /^not run: this hook runs Radarr's Custom Script/);
    });
  }

  it('an event the app sends to webhooks only (Lidarr DownloadFailure) does not run it, and says why', () => {
    const r = arrScriptVars('lidarr', event('lidarr.download.failure', { eventType: 'DownloadFailure', instanceName: 'Lidarr', releaseTitle: 'x' }));
    assert.equal(r.run, false);
    assert.equal(!r.run && r.reason, 'not run: Lidarr does not run its Custom Script for DownloadFailure (it sends that event to webhooks only)');
    assert.equal(!r.run && r.failed, undefined);
  });

  it('leaves out a value no environment can hold (a NUL byte, past 128 KiB), and names it', () => {
    const r = arrScriptVars('radarr', event('radarr.application.update', { eventType: 'ApplicationUpdate', instanceName: 'a\0b', message: 'x'.repeat(200_000), newVersion: '6.0' }));
    assert.ok(r.run);
    assert.deepEqual(r.omitted, ['radarr_instancename', 'radarr_update_message']);
    assert.equal(r.vars.radarr_update_newversion, '6.0');
    assert.equal(r.vars.radarr_instancename, undefined);
  });
});

describe("buildCommandEnv with an app's variables", () => {
  it("they replace a granted variable of the same name, never PATH or hookd's own", () => {
    const { env } = buildCommandEnv({
      event: event('radarr.test', {}),
      hookName: 'h',
      path: '/bin',
      named: { radarr_eventtype: 'from-env', OTHER: 'kept' },
      app: { radarr_eventtype: 'Test' },
      limits: { maxVars: 10, maxValueBytes: 100 },
    });
    assert.equal(env.radarr_eventtype, 'Test');
    assert.equal(env.OTHER, 'kept');
    assert.equal(env.HOOKD_EVENT_TYPE, 'radarr.test');
    assert.equal(env.PATH, '/bin');
  });
});
