// Every way `hookd serve` can fail to start, as an operator under a supervisor meets it: the exit
// code (2: a setting or a path to fix; 1: a runtime failure) and one line naming what failed,
// the path or address, the setting (and the variable, when the environment set it) and what to
// do; nothing else but JSON log lines, no stack. Paths no one may write even as root are under
// sysfs (/sys); a hook file that does not compile is no start failure: it is logged, hookd serves.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { writeTestConfig } from '../helpers/daemon.ts';
import { assertOneClearLine } from '../helpers/one-line-failure.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
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
