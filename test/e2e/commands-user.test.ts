// commands.user through the real daemon: a command running as `nobody` cannot read the data
// directory, admin.token or the SQLite file (even when the data directory was left world-readable
// before the start), but may use its per-run temp directory; a user that cannot be used stops the
// start with a config error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestDaemon } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { isHookdError } from '../../lib/errors.ts';

const ROOT = process.getuid?.() === 0 ? false : 'switching users needs root';

// Each line says what the program could do: a program of the daemon's own user could do all of it.
const PROBE = [
  'echo "ids=$(id -u):$(id -g)"',
  'ls "$1" >/dev/null 2>&1 && echo "data dir: listed" || echo "data dir: denied"',
  'cat "$1/admin.token" >/dev/null 2>&1 && echo "admin.token: read" || echo "admin.token: denied"',
  'head -c 16 "$1/hookd.sqlite" >/dev/null 2>&1 && echo "database: read" || echo "database: denied"',
  'echo x > ./scratch && echo "cwd: writable" || echo "cwd: not writable"',
].join('; ');

test('as commands.user nobody, a command cannot read the data dir, admin.token or the database, and may use its cwd', { skip: ROOT }, async () => {
  const temp = makeTempDir();
  // Only the data directory's own mode may stand between the program and the files.
  chmodSync(temp.dir, 0o755);
  const dataDir = join(temp.dir, 'data');
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  const d = await startTestDaemon({ dir: temp.dir, config: { auth: { tokens: [] }, commands: { user: 'nobody' } } });
  try {
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    assert.ok(d.logs.lines().some((l) => l.msg === 'the data directory was readable by other users: its permissions were restricted to the daemon\'s user' && l.path === dataDir));
    assert.deepEqual([dataDir, join(dataDir, 'admin.token'), join(dataDir, 'hookd.sqlite')].map((p) => (statSync(p).mode & 0o777).toString(8)), ['700', '600', '600']);

    // The probe itself sees everything when run as the daemon's user (root here).
    const control = spawnSync('/bin/sh', ['-c', PROBE, 'probe', dataDir], { encoding: 'utf8', cwd: temp.dir });
    assert.match(control.stdout, /data dir: listed\nadmin.token: read\ndatabase: read/);

    const created = await d.call('POST', '/hooks', { name: 'probe', kind: 'command', mode: 'filter', events: ['media.added'], command: ['/bin/sh', '-c', PROBE, 'probe', dataDir] }, { token });
    assert.equal(created.status, 201, created.text);
    const r = await d.call('POST', `/hooks/${created.body.id}/test`, { type: 'media.added', payload: { title: 'Akira' } }, { token });
    assert.equal(r.body.status, 'ok', r.text);
    assert.deepEqual((r.body.logs as Array<{ message: string }>).map((l) => l.message), [
      'ids=65534:65534', 'data dir: denied', 'admin.token: denied', 'database: denied', 'cwd: writable',
    ]);
  } finally {
    await d.close();
  }
});

test('a commands.user that does not exist stops the start with a config error naming the key', async () => {
  const temp = makeTempDir();
  try {
    await assert.rejects(startTestDaemon({ dir: temp.dir, config: { commands: { user: 'no-such-user-hookd' } } }), (err: unknown) => {
      assert.ok(isHookdError(err) && err.code === 'CONFIG');
      assert.match(err.message, /^commands\.user: there is no user "no-such-user-hookd" on this system/);
      return true;
    });
  } finally {
    temp.remove();
  }
});
