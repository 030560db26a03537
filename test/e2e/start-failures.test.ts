// Every way `hookd serve` can fail to start, as an operator under a supervisor meets it: the exit
// code (2: a setting or a path to fix; 1: a runtime failure) and one line naming what failed,
// the path or address, the setting (and the variable, when the environment set it) and what to
// do; nothing else but JSON log lines, no stack. Paths no one may write even as root are under
// sysfs (/sys); a hook file that does not compile is no start failure: it is logged, hookd serves.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { CLI, spawnListening, writeTestConfig } from '../helpers/daemon.ts';
import { assertOneClearLine } from '../helpers/one-line-failure.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
const isRoot = process.getuid?.() === 0;
let dirs = 0;

/** A directory of its own with a config (its own data and hooks dirs) merged from `extra`. */
function fresh(extra: Record<string, unknown> = {}): { dir: string; config: string } {
  const dir = join(temp.dir, `c${(dirs += 1)}`);
  mkdirSync(dir);
  return { dir, config: writeTestConfig(dir, extra) };
}

/** `hookd serve` on `config`; the timeout only stops a serve that started after all (the failure these tests are about). */
function serve(config: string, env: Record<string, string> = {}, extraArgs: string[] = []): Promise<CliResult> {
  return runCli(['serve', '--config', config, ...extraArgs], env, 60_000);
}

/** A regular file, where a directory is expected. */
function aFile(): string {
  const file = join(temp.dir, `file${(dirs += 1)}`);
  writeFileSync(file, '');
  return file;
}

const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the data directory', () => {
  test('one that cannot be created names it and HOOKD_DATA_DIR (exit 2)', async () => {
    const { config } = fresh();
    assertOneClearLine(await serve(config, { HOOKD_DATA_DIR: '/sys/hookd-test-data' }), 2,
      /^cannot create the data directory \/sys\/hookd-test-data \(dataDir from HOOKD_DATA_DIR\): E(PERM|ACCES|ROFS): [^,]*; /);
  });

  test('the one-off verbs that open the database say the same, not the SQLite file\'s failure (exit 2)', async () => {
    const { config } = fresh();
    for (const verb of [['migrate'], ['token', 'create', '--name', 'x']]) {
      assertOneClearLine(await runCli([...verb, '--config', config], { HOOKD_DATA_DIR: '/sys/hookd-test-data' }, 60_000), 2,
        /^cannot create the data directory \/sys\/hookd-test-data \(dataDir from HOOKD_DATA_DIR\): E(PERM|ACCES|ROFS): [^,]*; /);
    }
  });

  test('one under /proc, where mkdir answers ENOENT, fails at once (exit 2): Node\'s recursive mkdir retried forever, deaf to SIGTERM', async () => {
    assertOneClearLine(await serve(fresh({ dataDir: '/proc/self/hookd-test/data' }).config), 2,
      /^cannot create the data directory \/proc\/self\/hookd-test\/data \(dataDir\): ENOENT: no such file or directory; /);
  });

  test('one below a regular file names it and dataDir (exit 2)', async () => {
    const dataDir = join(aFile(), 'data');
    assertOneClearLine(await serve(fresh({ dataDir }).config), 2,
      new RegExp(`^cannot create the data directory ${quote(dataDir)} \\(dataDir\\): ENOTDIR: not a directory; a part of its path is a file, not a directory: set dataDir to another path$`));
  });

  test('a regular file in its place (exit 2)', async () => {
    const dataDir = aFile();
    assertOneClearLine(await serve(fresh({ dataDir }).config), 2,
      new RegExp(`^cannot create the data directory ${quote(dataDir)} \\(dataDir\\): EEXIST: file already exists; it is a file, not a directory: move it aside, or set dataDir to another path$`));
  });

  test('one the daemon may not write fails at its lock file (exit 2)', async () => {
    // sysfs refuses new files even to root; a user's own 0500 directory refuses them to the user.
    let dataDir = '/sys/kernel';
    if (!isRoot) {
      dataDir = join(temp.dir, 'read-only');
      mkdirSync(dataDir, { mode: 0o500 });
    }
    assertOneClearLine(await serve(fresh({ dataDir }).config), 2,
      new RegExp(`^cannot create the lock file ${quote(join(dataDir, 'hookd.lock'))} \\(dataDir\\): E(ACCES|PERM|ROFS): [^,]*; the daemon's user may not write there: change the permissions, or set dataDir to another path$`));
  });

  test('one another running hookd holds names its pid (exit 2)', async () => {
    const { dir, config } = fresh();
    mkdirSync(join(dir, 'data'));
    // This test's process is alive: its pid in the lock is a daemon still running.
    writeFileSync(join(dir, 'data', 'hookd.lock'), JSON.stringify({ pid: process.pid, started: '' }));
    assertOneClearLine(await serve(config), 2,
      new RegExp(`^the data directory ${quote(join(dir, 'data'))} is in use by another hookd \\(pid ${process.pid}\\): stop it, or give this one its own dataDir`));
  });

  test('an admin token file that cannot be written names it (exit 2)', async () => {
    // No tokens configured: the first start writes one; a directory in its place cannot be written.
    const { dir, config } = fresh({ auth: { tokens: [] } });
    mkdirSync(join(dir, 'data', 'admin.token'), { recursive: true });
    assertOneClearLine(await serve(config), 2,
      new RegExp(`^cannot write the admin token file ${quote(join(dir, 'data', 'admin.token'))} \\(dataDir\\): EISDIR: illegal operation on a directory; it is a directory: move it aside`));
  });

  test('a pid file that cannot be written names it and --pid-file (exit 2), and leaves no lock behind', async () => {
    const pidFile = join(aFile(), 'hookd.pid');
    const { dir, config } = fresh();
    const r = await serve(config, {}, ['--pid-file', pidFile]);
    assertOneClearLine(r, 2, new RegExp(`^cannot write the pid file ${quote(pidFile)} \\(--pid-file\\): ENOTDIR: not a directory; a part of its path is a file`));
    assert.ok(!existsSync(join(dir, 'data', 'hookd.lock')), 'the lock was released');
  });
});

describe('the hooks directory', () => {
  test('one that cannot be created names it and HOOKD_HOOKS_DIR (exit 2)', async () => {
    assertOneClearLine(await serve(fresh().config, { HOOKD_HOOKS_DIR: '/sys/hookd-test-hooks' }), 2,
      /^cannot create the hooks directory \/sys\/hookd-test-hooks \(hooks\.dir from HOOKD_HOOKS_DIR\): E(PERM|ACCES|ROFS): [^,]*; /);
  });

  test('a regular file in its place names it and hooks.dir (exit 2)', async () => {
    const dir = aFile();
    assertOneClearLine(await serve(fresh({ hooks: { dir } }).config), 2,
      new RegExp(`^cannot create the hooks directory ${quote(dir)} \\(hooks\\.dir\\): EEXIST: file already exists; it is a file, not a directory`));
  });

  test('one the daemon may not read is a start failure, not a daemon without hooks (exit 2)', async () => {
    // root reads anything: as root, the daemon runs as nobody (given its data dir), which may not read a 000 directory.
    const { dir, config } = fresh();
    const hooks = join(dir, 'hooks');
    chmodSync(hooks, 0o000);
    const nobody = { uid: 65534, gid: 65534 };
    if (isRoot) {
      for (const d of [temp.dir, dir]) chmodSync(d, 0o755);
      mkdirSync(join(dir, 'data'));
      chownSync(join(dir, 'data'), nobody.uid, nobody.gid);
    }
    const r = await runCli(['serve', '--config', config], {}, 60_000, isRoot ? nobody : undefined);
    assertOneClearLine(r, 2, new RegExp(`^cannot read the hooks directory ${quote(hooks)} \\(hooks\\.dir\\): EACCES: permission denied; the daemon's user may not read there: change the permissions, or set hooks\\.dir to another path$`));
  });

  test('a hook file that does not compile is logged, and hookd serves the rest', async () => {
    const { dir, config } = fresh();
    writeFileSync(join(dir, 'hooks', 'broken.ts'), 'export const config = { events: [\n');
    const daemon = await spawnListening([process.execPath, CLI, 'serve', '--config', config]);
    daemon.child.kill('SIGTERM');
    assert.equal((await daemon.exited).code, 0, daemon.output());
    assert.match(daemon.output(), /"file":"broken\.ts","error":"broken\.ts:\d+:\d+: [^"]+","msg":"hook file cannot be loaded"/);
  });
});

describe('the HTTP server', () => {
  test('a port in use names host, port and the settings (exit 2)', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      assertOneClearLine(await serve(fresh({ server: { port } }).config), 2,
        new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port} \\(server\\.host, server\\.port\\): the port is in use; `));
    } finally {
      blocker.close();
    }
  });

  test('a host that is no address of this machine names HOOKD_HOST (exit 2)', async () => {
    // TEST-NET-1 (RFC 5737): documentation only, never a local address.
    assertOneClearLine(await serve(fresh().config, { HOOKD_HOST: '192.0.2.1' }), 2,
      /^cannot listen on 192\.0\.2\.1:0 \(server\.host from HOOKD_HOST, server\.port\): no such address on this machine; /);
  });

  test('a host name that does not resolve says so (exit 2)', async () => {
    assertOneClearLine(await serve(fresh({ server: { host: 'hookd-no-such-host.invalid' } }).config), 2,
      /^cannot listen on hookd-no-such-host\.invalid:0 \(server\.host, server\.port\): the host name does not resolve \(getaddrinfo (ENOTFOUND|EAI_AGAIN)\); /);
  });
});

describe('the config file and the environment (exit 2)', () => {
  const cases: Array<[string, () => { config: string; env?: Record<string, string> }, RegExp]> = [
    ['a missing file', () => ({ config: join(temp.dir, 'no-such.yaml') }), /^cannot read config file .*no-such\.yaml: ENOENT: no such file or directory$/],
    ['a directory', () => ({ config: fresh().dir }), /^cannot read config file .*: it is a directory, not a regular file$/],
    ['not YAML', () => ({ config: temp.write('broken.yaml', 'a: [1\n') }), /broken\.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
    ['a list, not a mapping', () => ({ config: temp.write('list.yaml', '- 1\n') }), /list\.yaml: the top level must be a mapping of keys, not a list$/],
    ['HOOKD_TOKEN_FILE missing', () => ({ config: fresh().config, env: { HOOKD_TOKEN_FILE: join(temp.dir, 'no-token') } }), /^HOOKD_TOKEN_FILE: cannot read .*no-token: ENOENT: no such file or directory$/],
  ];
  for (const [name, make, line] of cases) {
    test(name, async () => {
      const { config, env } = make();
      assertOneClearLine(await serve(config, env), 2, line);
    });
  }

  // Problems with values are one line each under a heading, each naming the key and where it was set.
  test('unknown keys and wrong types name the key and its line', async () => {
    const config = temp.write('typo.yaml', 'bogus: 1\nserver:\n  port: "x"\n');
    const r = await serve(config);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `hookd: invalid configuration:\n  bogus: is not a known property (${config}:1:8)\n  server.port: must be integer (${config}:3:9)\n`);
  });

  test('a variable with a bad value names the variable', async () => {
    const r = await serve(fresh().config, { HOOKD_PORT: 'abc', HOOKD_LOG_LEVEL: 'loud' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^hookd: invalid configuration:\n {2}server\.port: must be integer \(set by HOOKD_PORT\)\n {2}log\.level: must be one of .* \(set by HOOKD_LOG_LEVEL\)\n$/);
  });
});
