// hookd under a supervisor: the process it signals is the daemon (npm start execs it, the bin
// runs it in-process), one SIGTERM stops the whole tree cleanly, a second stops it at once, a
// daemon killed with -9 takes its sandbox host along, and one data dir has one daemon.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { ADMIN_TOKEN, CLI, SERVE_NODE_FLAGS, spawnDaemon, spawnListening, writeTestConfig, type ChildDaemon } from '../helpers/daemon.ts';
import { processTree, stillRunning, type ProcessInfo } from '../helpers/process-tree.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'hookd.js');
const temps: Array<{ remove: () => void }> = [];
after(() => temps.forEach((t) => t.remove()));

function freshConfig(extra: Record<string, unknown> = {}): string {
  const temp = makeTempDir();
  temps.push(temp);
  return writeTestConfig(temp.dir, extra);
}

function isSandboxHost(p: ProcessInfo): boolean {
  return p.command.includes('runtime/host/host.');
}

/** The tree once the sandbox host is up (it starts while hookd starts, and is restarted lazily). */
async function treeWithHost(daemon: ChildDaemon): Promise<ProcessInfo[]> {
  return waitFor(async () => {
    const tree = processTree(daemon.child.pid!);
    return tree.some(isSandboxHost) && tree;
  }, 'the sandbox host to run');
}

async function assertAllGone(tree: ProcessInfo[]): Promise<void> {
  const pids = tree.map((p) => p.pid);
  await waitFor(async () => stillRunning(pids).length === 0, `every process of the tree to end: ${JSON.stringify(stillRunning(pids))}`);
}

test('npm start: the daemon is npm\'s own child (no shell between), and SIGTERM to npm alone stops every process cleanly', async () => {
  const daemon = await spawnListening(['npm', 'start', '--silent'], { cwd: REPO, env: { HOOKD_CONFIG: freshConfig(), HOME: process.env.HOME ?? '/root' } });
  const tree = await treeWithHost(daemon);
  const children = tree.filter((p) => p.ppid === daemon.child.pid);
  assert.deepEqual(children.map((p) => p.command.split(' ')[0]!.replace(/.*\//, '')), ['node'], JSON.stringify(tree));
  assert.match(children[0]!.command, /dist\/lib\/cli\.js serve/, 'plain JavaScript from the build, no loader');
  // The tests and benches start the daemon with the same flags (spawnDaemon), and so does the README's unit.
  assert.deepEqual(children[0]!.command.split(' ').filter((a) => a.startsWith('--') && !a.startsWith('--config')), SERVE_NODE_FLAGS);
  const unit = /^ExecStart=\/usr\/bin\/node (.*) \/opt\/hookd\/dist\/lib\/cli\.js serve/m.exec(readFileSync(join(REPO, 'README.md'), 'utf8'));
  assert.deepEqual(unit?.[1]!.split(' '), SERVE_NODE_FLAGS, "the README's systemd unit");
  assert.ok(!tree.some((p) => p.command.includes('tsx')), JSON.stringify(tree));

  daemon.child.kill('SIGTERM');
  const { code } = await daemon.exited;
  await assertAllGone(tree);
  assert.equal(code, 0, daemon.output());
  assert.match(daemon.output(), /"signal":"SIGTERM".*"msg":"signal received/);
  assert.match(daemon.output(), /"msg":"stopped"/);
});

test('the hookd bin runs the daemon in its own process: SIGTERM to it stops the tree and exits 0', async () => {
  const daemon = await spawnListening([process.execPath, BIN, 'serve', '--config', freshConfig()]);
  const tree = await treeWithHost(daemon);
  assert.match(daemon.output(), new RegExp(`"pid":${daemon.child.pid},.*"msg":"hookd listening"`), 'the bin\'s process is the daemon');
  assert.deepEqual(tree.filter((p) => p.ppid === daemon.child.pid).map(isSandboxHost), [true]);

  daemon.child.kill('SIGTERM');
  const { code } = await daemon.exited;
  await assertAllGone(tree);
  assert.equal(code, 0, daemon.output());
  assert.match(daemon.output(), /"msg":"stopped"/);
});

test('a daemon killed with -9 leaves no sandbox host behind: the host sees its IPC channel close and exits', async () => {
  const daemon = await spawnDaemon(freshConfig());
  const tree = await treeWithHost(daemon);
  daemon.child.kill('SIGKILL');
  await daemon.exited;
  await assertAllGone(tree);
});

test('a second SIGTERM during the drain stops at once, host included', async () => {
  // An in-flight request whose body never ends holds the drain for server.shutdownTimeout.
  const daemon = await spawnDaemon(freshConfig({ server: { shutdownTimeout: '10m' } }));
  const tree = await treeWithHost(daemon);
  const { hostname, port } = new URL(daemon.url);
  // Expect: 100-continue: the 100 arrives once the server has parsed the headers and dispatched
  // the request, so it is in flight before the signal.
  const req = httpRequest({ hostname, port, path: '/events', method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'content-length': 1000, expect: '100-continue' } });
  req.on('error', () => {});
  await new Promise((resolve) => req.on('continue', resolve));
  req.write('{"type":');

  daemon.child.kill('SIGTERM');
  await waitFor(async () => daemon.output().includes('stopping: finishing in-flight requests'), 'the drain to begin');
  daemon.child.kill('SIGTERM');
  const { code } = await daemon.exited;
  await assertAllGone(tree);
  assert.equal(code, 1, daemon.output());
  assert.match(daemon.output(), /second signal: stopping at once/);
  req.destroy();
});

test('--pid-file holds the daemon\'s pid while it runs, and a second daemon on the same data dir is refused by name', async () => {
  const config = freshConfig();
  const pidFile = join(config, '..', 'hookd.pid');
  const first = await spawnListening([process.execPath, CLI, 'serve', '--config', config, '--pid-file', pidFile]);
  try {
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(first.child.pid));
    const second = await spawnListening([process.execPath, CLI, 'serve', '--config', config]).then(
      (d) => { d.child.kill('SIGKILL'); return undefined; },
      (error: Error) => error.message,
    );
    assert.match(second ?? 'the second daemon started', new RegExp(`exited \\(2\\)[^]*data directory .* is in use by another hookd \\(pid ${first.child.pid}\\)`));
  } finally {
    first.child.kill('SIGTERM');
  }
  assert.equal((await first.exited).code, 0);
  assert.equal(existsSync(pidFile), false, 'the pid file is removed at the stop');
});

test('a lock left by a daemon that died is taken over', async () => {
  const config = freshConfig();
  const dataDir = join(config, '..', 'data');
  const first = await spawnDaemon(config);
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(existsSync(join(dataDir, 'hookd.lock')), 'kill -9 leaves the lock file');
  const second = await spawnDaemon(config);
  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0, second.output());
});

test('SIGTERM while hookd is starting stops it cleanly once started, with nothing left behind', async () => {
  let pid = 0;
  const daemon = spawnListening([process.execPath, CLI, 'serve', '--config', freshConfig()], { onSpawn: (child) => (pid = child.pid!) });
  // The host starts before hookd listens: signal as soon as it exists.
  const tree = await waitFor(async () => {
    const found = processTree(pid);
    return found.some(isSandboxHost) && found;
  }, 'the sandbox host to start', 30_000);
  process.kill(pid, 'SIGTERM');
  const { code } = await (await daemon).exited;
  await assertAllGone(tree);
  assert.equal(code, 0);
});
