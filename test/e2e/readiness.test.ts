// GET /readyz against the real daemon: ready with its three checks, 503 naming the sandbox while
// its host process is down (killed with SIGKILL) or not answering (SIGSTOP), 200 again after
// the automatic restart, and 503 naming the database when it reaches storage.maxSize or its
// disk is full (a real tmpfs; needs root). /healthz stays a liveness probe throughout.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { fillDisk, mountTmpfs, unmount } from '../helpers/disk.ts';
import { request, type Reply } from '../helpers/http.ts';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

interface ReadyBody {
  status: 'ready' | 'not-ready' | 'stopping';
  reason?: string;
  checks: Record<string, string>;
  storage: { client: string; instance?: string };
}

const readyz = (d: TestDaemon) => request<ReadyBody>(d.url, 'GET', '/readyz');

/** The pid of the sandbox host that reported ready last, from the daemon's own log. */
function hostPid(d: TestDaemon): number {
  const ready = d.logs.lines().filter((l) => l.msg === 'sandbox host ready');
  const pid = ready.at(-1)?.hostPid as number;
  assert.ok(Number.isInteger(pid) && pid > 0 && pid !== process.pid, `the log names the host pid: ${String(pid)}`);
  return pid;
}

/**
 * Polls /readyz until `done` holds; returns that answer. A short window (the host restarting)
 * is polled without pauses so that it cannot slip between two polls.
 */
async function readyzUntil(d: TestDaemon, done: (r: Reply<ReadyBody>) => boolean, what: string, pauseMs = 20): Promise<Reply<ReadyBody>> {
  const until = Date.now() + 30_000;
  for (;;) {
    const r = await readyz(d);
    if (done(r)) return r;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last: ${r.status} ${r.text}`);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

const isReady = (r: Reply<ReadyBody>) => r.status === 200;

describe('GET /readyz', () => {
  let d: TestDaemon;
  after(() => d?.close());

  it('needs no token and answers 200 ready with every check, GET and HEAD; /healthz still answers alive', async () => {
    d = await startTestDaemon({ config: { hooks: { watch: false } } });
    const r = await readyzUntil(d, isReady, 'ready');
    assert.deepEqual(r.body, { status: 'ready', checks: { database: 'ok', migrations: 'ok', sandbox: 'ok' }, storage: { client: 'sqlite' } });
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const head = await fetch(`${d.url}/readyz`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const health = await request(d.url, 'GET', '/healthz');
    assert.deepEqual([health.status, health.body], [200, { status: 'ok' }]);
    const bad = await request(d.url, 'GET', '/readyz', undefined, { token: 'not-a-token-at-all-0000' });
    assert.equal(bad.status, 200, 'a token, even a wrong one, is not looked at');
  });

  it('turns 503 naming the sandbox while its host is killed, and 200 again after the automatic restart', async () => {
    const pid = hostPid(d);
    process.kill(pid, 'SIGKILL');
    const down = await readyzUntil(d, (r) => r.status === 503, 'a 503 while the host is down', 0);
    assert.equal(down.body.status, 'not-ready');
    assert.match(down.body.reason!, /^sandbox host /);
    assert.equal(down.body.checks.sandbox, down.body.reason);
    assert.equal(down.body.checks.database, 'ok');
    assert.equal(down.body.checks.migrations, 'ok');
    assert.equal((await request(d.url, 'GET', '/healthz')).status, 200, 'alive all along: no reason to restart the daemon');

    const up = await readyzUntil(d, isReady, '200 after the restart');
    assert.equal(up.body.status, 'ready');
    const next = hostPid(d);
    assert.notEqual(next, pid, 'a new host answers');
    const metrics = parsePrometheusText((await d.call('GET', '/metrics')).text);
    assert.equal(sampleValue(metrics, 'hookd_sandbox_host_restarts_total'), 1);
    // And it runs hooks again.
    const hook = await d.call('POST', '/hooks/test', { name: 'probe', mode: 'filter', events: ['media.added'], source: 'export default () => ({ patch: { ok: true } })', type: 'media.added', payload: { title: 'x' } });
    assert.equal(hook.body.status, 'ok', hook.text);
  });

  it('turns 503 while the host stops answering (SIGSTOP), and 200 once it runs again (SIGCONT)', async () => {
    const pid = hostPid(d);
    process.kill(pid, 'SIGSTOP');
    try {
      const stuck = await readyzUntil(d, (r) => r.status === 503, 'a 503 while the host is stopped');
      assert.match(stuck.body.reason!, /^sandbox (host did not answer a ping within \d+ ms|did not answer within \d+ ms)$/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await readyzUntil(d, isReady, '200 once the host runs again');
    assert.equal(hostPid(d), pid, 'the same host: a slow answer is not a restart');
  });
});

describe('GET /readyz and the database', () => {
  it('turns 503 naming the database once it reaches storage.maxSize (as POST /events answers 507)', async () => {
    const d = await startTestDaemon({ config: { storage: { maxSize: '512KiB' }, hooks: { watch: false } } });
    try {
      await readyzUntil(d, isReady, 'ready while there is room');
      const padding = 'p'.repeat(4_000);
      let full: Reply | undefined;
      for (let i = 0; i < 2_000 && !full; i++) {
        const r = await d.call('POST', '/events', { type: 'media.added', payload: { title: `t${i}`, padding } }, { token: EVENTS_TOKEN });
        if (r.status !== 202) full = r;
      }
      assert.equal(full?.status, 507, full?.text);
      const r = await readyzUntil(d, (x) => x.status === 503, '503 when full');
      assert.equal(r.body.status, 'not-ready');
      assert.match(r.body.reason!, /^database is full: \d+ KiB left under storage\.maxSize/);
      assert.equal(r.body.checks.database, r.body.reason);
      assert.equal(r.body.checks.sandbox, 'ok');
      assert.equal((await request(d.url, 'GET', '/healthz')).status, 200);
    } finally {
      await d.close();
    }
  });

  const temp = makeTempDir();
  const mountPoint = join(temp.dir, 'data');
  mkdirSync(mountPoint);
  const mounted = mountTmpfs(mountPoint, '4m');
  after(() => {
    if (mounted) unmount(mountPoint);
    temp.remove();
  });

  it('turns 503 naming the database when its disk is full, and 200 once space returns', { skip: !mounted && 'needs root to mount a tmpfs' }, async () => {
    const d = await startTestDaemon({ config: { dataDir: mountPoint, hooks: { watch: false } } });
    try {
      await readyzUntil(d, isReady, 'ready while there is room');
      const filler = fillDisk(mountPoint);
      const r = await readyzUntil(d, (x) => x.status === 503, '503 when the disk is full');
      assert.match(r.body.reason!, /^database (disk is full|cannot be written)/);
      assert.ok(!r.text.includes(mountPoint), 'no paths in an answer anyone may read');
      rmSync(filler);
      await readyzUntil(d, isReady, '200 once space returned');
    } finally {
      await d.close();
    }
  });
});
