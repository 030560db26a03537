// A command hook's environment in the daemon as a user runs it (`hookd serve`, a child process
// whose own environment holds HOOKD_TOKEN and other secrets): only what the issue lists gets through.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { spawnDaemon, writeTestConfig } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

test("the daemon's HOOKD_TOKEN and unnamed variables never reach a command; named ones and secrets do, redacted from its output", async () => {
  const token = `hookd-token-${'s'.repeat(24)}`;
  const configFile = writeTestConfig(temp.dir, { secrets: { TMDB_API_KEY: 'from-config-secrets' } });
  const daemon = await spawnDaemon(configFile, { HOOKD_TOKEN: token, NOTIFY_URL: 'http://notify.local/hook', DB_PASSWORD: 'hunter2-never-passed' });
  try {
    const call = (method: string, path: string, body?: unknown) => request(daemon.url, method, path, body, { token });
    const definition = { name: 'env-dump', kind: 'command', mode: 'action', events: ['media.added'], command: ['/usr/bin/env'] };
    const refused = await call('POST', '/hooks', { ...definition, env: ['NOTIFY_URL', 'HOOKD_TOKEN'] });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.details.pointer, '/env/1');
    const created = await call('POST', '/hooks', { ...definition, env: ['NOTIFY_URL', 'TMDB_API_KEY', 'UNSET_NAME'] });
    assert.equal(created.status, 201, created.text);
    const r = await call('POST', `/hooks/${created.body.id}/test`, { type: 'media.added', payload: { title: 'Akira', tmdbId: 149 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'ok');
    const vars = (r.body.logs as Array<{ level: string; message: string }>).filter((l) => l.level === 'info').map((l) => l.message.split('=')[0]);
    assert.deepEqual(vars.sort(), ['HOOKD_EVENT_ID', 'HOOKD_EVENT_TYPE', 'HOOKD_HOOK_NAME', 'HOOKD_PAYLOAD_TITLE', 'HOOKD_PAYLOAD_TMDB_ID', 'NOTIFY_URL', 'PATH', 'TMDB_API_KEY']);
    assert.ok(!r.text.includes(token), 'the token is nowhere in the run');
    assert.ok(!r.text.includes('hunter2'), 'an unnamed variable is nowhere in the run');
    assert.ok(r.body.logs.some((l: { message: string }) => l.message === 'TMDB_API_KEY=[redacted]'), 'given, and redacted from what it printed');
    assert.ok(!r.text.includes('from-config-secrets') && !r.text.includes('notify.local'));
    assert.ok(r.body.logs.some((l: { message: string }) => /env not passed .*: UNSET_NAME$/.test(l.message)));
  } finally {
    daemon.child.kill('SIGTERM');
    assert.equal((await daemon.exited).code, 0, daemon.output());
  }
});
