// The daemon as a user runs it: `hookd serve` as a child process, signals, restarts, `hookd check`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { request } from '../helpers/http.ts';
import { ADMIN_TOKEN, CLI, spawnDaemon, writeTestConfig } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

test('events survive a restart, and SIGTERM exits 0 after finishing an in-flight request', async () => {
  const configFile = writeTestConfig(temp.dir);
  const first = await spawnDaemon(configFile);
  const posted = await request(first.url, 'POST', '/events', { type: 'media.added', id: 'kept', payload: { title: 'Kept' } }, { token: ADMIN_TOKEN });
  assert.equal(posted.status, 202);

  // A request whose body is still arriving when SIGTERM comes must still be answered.
  const body = JSON.stringify({ type: 'media.added', id: 'in-flight', payload: { title: 'Late' } });
  const { hostname, port } = new URL(first.url);
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest({ hostname, port, path: '/events', method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.write(body.slice(0, 10));
    setTimeout(() => {
      first.child.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(10)), 300);
    }, 200);
  });
  const late = await answer;
  assert.equal(late.status, 202, late.text);
  const { code } = await first.exited;
  assert.equal(code, 0, first.output());

  const second = await spawnDaemon(configFile);
  try {
    for (const id of ['kept', 'in-flight']) {
      const back = await request(second.url, 'GET', `/events/${id}`, undefined, { token: ADMIN_TOKEN });
      assert.equal(back.status, 200, `${id} after restart`);
    }
  } finally {
    second.child.kill('SIGINT');
    assert.equal((await second.exited).code, 0);
  }
});

test('`hookd check` exits 2 naming the broken key, 0 for a valid config', () => {
  const bad = join(temp.dir, 'broken.yaml');
  writeFileSync(bad, 'server:\n  port: 99999\nlog:\n  level: loud\n');
  const r = spawnSync(process.execPath, [CLI, 'check', '--config', bad], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /server\.port: must be <= 65535 \(.*broken\.yaml:2:9\)/);
  assert.match(r.stderr, /log\.level: must be one of/);

  const good = join(temp.dir, 'good.yaml');
  writeFileSync(good, 'server:\n  port: 8080\n');
  const ok = spawnSync(process.execPath, [CLI, 'check', '--config', good], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /configuration ok/);
});

test('`hookd migrate` applies the schema once', () => {
  const dir = join(temp.dir, 'migrate');
  const configFile = writeTestConfig(dir);
  const run = () => spawnSync(process.execPath, [CLI, 'migrate', '--config', configFile], { encoding: 'utf8' });
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /applied: 001_initial/);
  const again = run();
  assert.match(again.stdout, /already up to date/);
});
