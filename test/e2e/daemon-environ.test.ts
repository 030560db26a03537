// The daemon's own environment as a command program of the same user sees it (`hookd serve` as a
// child process): HOOKD_TOKEN is erased from /proc/<daemon pid>/environ at start yet still
// authenticates, and HOOKD_TOKEN_FILE keeps the token out of the environment altogether.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { spawnDaemon, writeTestConfig, type ChildDaemon } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

// What a hostile command does: dump its parent's environment and the daemon's (by pid).
const READ_ENVIRONS = 'echo "ppid=$PPID"; tr "\\000" "\\n" < /proc/$PPID/environ; echo ---; tr "\\000" "\\n" < "/proc/$1/environ"';

async function stop(daemon: ChildDaemon): Promise<void> {
  daemon.child.kill('SIGTERM');
  assert.equal((await daemon.exited).code, 0, daemon.output());
}

test('a command reading /proc/$PPID/environ and /proc/<daemon pid>/environ does not find HOOKD_TOKEN, which still authenticates', async () => {
  const token = `hkd_env_${randomUUID()}`;
  const visible = `visible-${randomUUID()}`;
  const configFile = writeTestConfig(join(temp.dir, 'env'));
  const daemon = await spawnDaemon(configFile, { HOOKD_TOKEN: token, VISIBLE_MARKER: visible });
  try {
    const call = (method: string, path: string, body?: unknown) => request(daemon.url, method, path, body, { token });
    const created = await call('POST', '/hooks', { name: 'read-environ', kind: 'command', mode: 'filter', events: ['media.added'], command: ['/bin/sh', '-c', READ_ENVIRONS, 'read-environ', String(daemon.child.pid)] });
    assert.equal(created.status, 201, 'HOOKD_TOKEN still authenticates');
    const r = await call('POST', `/hooks/${created.body.id}/test`, { type: 'media.added', payload: { title: 'Akira' } });
    assert.equal(r.body.status, 'ok', r.text);
    const lines = (r.body.logs as Array<{ message: string }>).map((l) => l.message);
    assert.equal(lines[0], `ppid=${daemon.child.pid}`, 'the program\'s parent is the daemon');
    assert.equal(lines.filter((l) => l === `VISIBLE_MARKER=${visible}`).length, 2, 'both reads saw the daemon\'s environment');
    assert.ok(!r.text.includes(token), 'the token is in neither');
    assert.ok(!lines.some((l) => l.startsWith('HOOKD_TOKEN=')));
    assert.match(daemon.output(), /"names":\["HOOKD_TOKEN"\],"msg":"credentials erased from this process's environment/);
    assert.ok(!daemon.output().includes(token), 'nor in the log');
  } finally {
    await stop(daemon);
  }
});

test('HOOKD_TOKEN_FILE: the admin token comes from a file and never enters any environment', async () => {
  const token = `hkd_file_${randomUUID()}`;
  const file = join(temp.dir, 'admin-token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  const configFile = writeTestConfig(join(temp.dir, 'file'));
  const daemon = await spawnDaemon(configFile, { HOOKD_TOKEN_FILE: file });
  try {
    const r = await request(daemon.url, 'GET', '/hooks', undefined, { token });
    assert.equal(r.status, 200, r.text);
    assert.equal((await request(daemon.url, 'GET', '/hooks', undefined, { token: `${token}x` })).status, 401);
  } finally {
    await stop(daemon);
  }
});
