// The command runner with real child processes: the environment, stdin and stdout contract,
// exit codes, output caps, timeouts and leftovers killed by process group, cwd, concurrency.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createCommandRunner } from '../../../lib/commands/index.ts';
import type { CommandsConfig } from '../../../lib/config/index.ts';
import type { HookRecord } from '../../../lib/db/hooks-store.ts';
import { createEnvGrants } from '../../../lib/env-grants.ts';
import { storedLineBytes } from '../../../runtime/index.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';
import { backgroundPid, isAlive, killAllWith, processesWith } from './process-table.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/commands/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

const CONFIG: CommandsConfig = {
  concurrency: 4,
  timeoutMs: 10_000,
  killGraceMs: 300,
  maxOutputBytes: 4096,
  maxOutputLines: 1000,
  cwd: null,
  maxPayloadVars: 256,
  maxPayloadValueBytes: 4096,
  user: null,
  group: null,
  tracking: 'auto',
};

// Every event id carries this run's marker; every process a command starts inherits it in
// HOOKD_EVENT_ID, so the process table shows anything a command left behind.
const MARKER = `hookd-test-${randomUUID()}`;
after(() => killAllWith(MARKER));

const DAEMON_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOOKD_TOKEN: 'daemon-admin-token-secret', NOTIFY_URL: 'http://notify.local/x', OTHER_SECRET: 'do-not-leak' };
const runners: Array<ReturnType<typeof createCommandRunner>> = [];
function makeRunner(config: Partial<CommandsConfig> = {}) {
  const runner = createCommandRunner({
    config: { ...CONFIG, ...config },
    log: pino({ level: 'silent' }),
    envGrants: createEnvGrants({ secrets: {}, env: DAEMON_ENV, credentials: [DAEMON_ENV.HOOKD_TOKEN] }),
    path: DAEMON_ENV.PATH,
  });
  runners.push(runner);
  return runner;
}
after(() => Promise.all(runners.map((r) => r.close())));
const runner = makeRunner();

let seq = 0;
function hook(command: string[], extra: Partial<HookRecord> = {}): HookRecord {
  return {
    id: `h${++seq}`, name: `cmd-${seq}`, origin: 'api', filePath: null, kind: 'command', mode: 'filter', events: ['media.added'],
    priority: 100, source: null, compiled: null, command, env: [], arrScript: null, permissions: {}, timeoutMs: null, limits: null, enabled: true,
    disabledReason: null, consecutiveFailures: 0, version: 1, createdAt: 0, updatedAt: 0, ...extra,
  };
}
const event = (payload: unknown = { title: 'Akira' }) => ({ id: `${MARKER}-${++seq}`, type: 'media.added', occurredAt: new Date().toISOString(), payload });
const messages = (logs: Array<{ message: string }>) => logs.map((l) => l.message);

describe('environment and stdin', () => {
  test('the environment is built from nothing: the daemon\'s HOOKD_TOKEN and other variables are absent', async () => {
    const e = event({ title: 'Akira', qualityProfile: 'HD', genres: ['Anime'] });
    const outcome = await runner.run(hook(['/usr/bin/env'], { name: 'envdump', env: ['NOTIFY_URL', 'HOOKD_TOKEN'] }), e, undefined);
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
    const lines = messages(outcome.logs).filter((m) => m.includes('='));
    assert.deepEqual(lines.sort(), [
      `HOOKD_EVENT_ID=${e.id}`,
      'HOOKD_EVENT_TYPE=media.added',
      'HOOKD_HOOK_NAME=envdump',
      'HOOKD_PAYLOAD_GENRES_0=Anime',
      'HOOKD_PAYLOAD_QUALITY_PROFILE=HD',
      'HOOKD_PAYLOAD_TITLE=Akira',
      'NOTIFY_URL=[redacted]', // given to it, so redacted from what it prints
      `PATH=${DAEMON_ENV.PATH}`,
    ]);
    assert.ok(!outcome.logs.some((l) => l.message.includes('daemon-admin-token-secret') || l.message.includes('do-not-leak')));
    assert.match(outcome.logs[0]!.message, /env not passed .*HOOKD_TOKEN/, 'the refused name is noted in the log');
  });

  test('the event JSON arrives on stdin, and JSON stdout is the result', async () => {
    const e = event({ title: 'Ran', year: 1985 });
    const outcome = await runner.run(hook(['/usr/bin/cat']), e, undefined);
    assert.equal(outcome.status, 'ok');
    assert.deepEqual(outcome.value, e);
  });

  test('stdout that is not JSON is only logged; the result is undefined', async () => {
    const outcome = await runner.run(hook(['/usr/bin/echo', 'hello', 'world']), event(), undefined);
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.value, undefined);
    assert.deepEqual(outcome.logs.map((l) => [l.level, l.message]), [['info', 'hello world']]);
  });

  test('injection strings in the payload stay inert strings', async () => {
    const dir = makeTempDir();
    try {
      const attacks = [`$(touch ${dir.dir}/a)`, `\`touch ${dir.dir}/b\``, `; touch ${dir.dir}/c`, `' ; touch ${dir.dir}/d ; '`, `| touch ${dir.dir}/e`, '; rm -rf ~'];
      for (const title of attacks) {
        const e = event({ title, [title]: title });
        const outcome = await runner.run(hook([fixture('inert.sh')]), e, undefined);
        assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
        assert.deepEqual(outcome.value, e, 'stdin carried the exact payload');
        assert.ok(outcome.logs.some((l) => l.level === 'warn' && l.message === `title=${title}`), 'the variable holds the exact string');
      }
      assert.deepEqual(readdirSync(dir.dir), [], 'no command in the payload ran');
    } finally {
      dir.remove();
    }
  });
});

describe('exit status and output', () => {
  test('a non-zero exit is an error with the code and the tail of stderr; both streams are logged', async () => {
    const outcome = await runner.run(hook([fixture('fail.sh')]), event({ title: 'Heat' }), undefined);
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.message, 'exited with code 3: something went wrong\ndisk full');
    // Lines keep their order within a stream; the two pipes are read independently.
    assert.deepEqual(messages(outcome.logs.filter((l) => l.level === 'info')), ['working on Heat']);
    assert.deepEqual(messages(outcome.logs.filter((l) => l.level === 'warn')), ['something went wrong', 'disk full']);
  });

  test('big output is capped per stream in bytes as stored, with one line saying what was dropped', async () => {
    const outcome = await runner.run(hook([fixture('chatty.sh')]), event(), undefined);
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.logsTruncated, true);
    const stored = (lines: typeof outcome.logs) => lines.reduce((n, l) => n + storedLineBytes(l), 0);
    const stdout = outcome.logs.filter((l) => l.level === 'info');
    const stderr = outcome.logs.filter((l) => l.level === 'warn' && l.message.startsWith('a line'));
    assert.ok(stored(stdout) <= CONFIG.maxOutputBytes && stored(stderr) <= CONFIG.maxOutputBytes, `${stored(stdout)} + ${stored(stderr)} bytes`);
    assert.ok(stdout.length > 10 && stderr.length > 10, 'each stream kept its own share');
    const marker = outcome.logs.at(-1)!;
    assert.equal(marker.level, 'warn');
    assert.match(marker.message, /^output truncated at 4096 bytes as stored or 1000 lines per stream .*stdout: \d+ more bytes dropped; stderr: \d+ more bytes dropped; stdout over commands\.maxOutput is not used as the result$/);
    assert.equal(outcome.logs.filter((l) => l.message.startsWith('output truncated')).length, 1, 'one marker line');
  });

  test('a program that does not exist any more is a clear error at run time', async () => {
    const outcome = await runner.run(hook(['/nonexistent/hookd/program.sh']), event(), undefined);
    assert.equal(outcome.status, 'error');
    assert.match(outcome.error!.message, /could not start "\/nonexistent\/hookd\/program.sh": .*does not exist \(ENOENT\)/);
  });
});

describe('process groups', () => {
  test('a timeout ends the whole process group: nothing is left in the process table', async () => {
    const e = event();
    const outcome = await runner.run(hook([fixture('hang.sh'), MARKER]), e, 500);
    assert.equal(outcome.status, 'timeout');
    assert.match(outcome.error!.message, /^timed out after 500 ms; its process group got SIGTERM/);
    const bg = backgroundPid(outcome.logs);
    await waitFor(async () => !isAlive(bg) && processesWith(e.id).length === 0, 'the group to be gone');
  });

  test('a program that ignores SIGTERM gets SIGKILL after the grace period, children too', async () => {
    const e = event();
    const outcome = await runner.run(hook([fixture('stubborn.sh'), MARKER]), e, 300);
    assert.equal(outcome.status, 'timeout');
    const bg = backgroundPid(outcome.logs);
    await waitFor(async () => !isAlive(bg) && processesWith(e.id).length === 0, 'the group to be gone');
  });

  for (const [name, script] of [['keeps stdout open', 'background.sh'], ['detached its output', 'background-quiet.sh']]) {
    test(`after a normal exit, a background child that ${name} is killed and the run ends`, async () => {
      const e = event();
      const outcome = await runner.run(hook([fixture(script!), MARKER]), e, undefined);
      assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
      const bg = backgroundPid(outcome.logs);
      await waitFor(async () => !isAlive(bg) && processesWith(e.id).length === 0, 'the leftover to be gone');
      assert.ok(!outcome.logs.some((l) => l.message === 'never'));
    });
  }

  test('close() ends running programs and waits for them', async () => {
    const own = makeRunner();
    const e = event();
    const running = own.run(hook([fixture('hang.sh'), MARKER]), e, 60_000);
    await waitFor(async () => processesWith(e.id).length >= 2, 'the program to start');
    await own.close();
    const outcome = await running;
    assert.equal(outcome.status, 'error');
    assert.match(outcome.error!.message, /^stopped because hookd is shutting down/);
    await waitFor(async () => processesWith(e.id).length === 0, 'the group to be gone');
  });
});

describe('working directory and concurrency', () => {
  test('each run gets a fresh temp dir, removed afterwards', async () => {
    const first = await runner.run(hook([fixture('cwd.sh')]), event(), undefined);
    const second = await runner.run(hook([fixture('cwd.sh')]), event(), undefined);
    const dirs = [first, second].map((o) => o.logs.find((l) => l.level === 'warn')!.message);
    assert.notEqual(dirs[0], dirs[1]);
    for (const dir of dirs) {
      assert.ok(dir.startsWith(tmpdir()), dir);
      assert.equal(existsSync(dir), false, `${dir} was removed`);
    }
  });

  test('a configured cwd is used as is and kept; concurrency bounds the programs running at once', async () => {
    const shared = makeTempDir();
    try {
      const serial = makeRunner({ concurrency: 1, cwd: shared.dir });
      const outcomes = await Promise.all([1, 2, 3].map(() => serial.run(hook([fixture('slot.sh')]), event(), undefined)));
      assert.deepEqual(outcomes.map((o) => o.status), ['ok', 'ok', 'ok'], JSON.stringify(outcomes));
      assert.ok(existsSync(shared.dir));
      const parallel = makeRunner({ concurrency: 3, cwd: shared.dir });
      const raced = await Promise.all([1, 2, 3].map(() => parallel.run(hook([fixture('slot.sh')]), event(), undefined)));
      assert.ok(raced.some((o) => o.status === 'error' && /code 9/.test(o.error!.message)), 'without the bound the lock is contended');
    } finally {
      shared.remove();
    }
  });

  test('a call that waits for a slot past its deadline times out without starting', async () => {
    const serial = makeRunner({ concurrency: 1 });
    const e = event();
    const [first, second] = await Promise.all([
      serial.run(hook([fixture('hang.sh'), MARKER]), e, 400),
      serial.run(hook([fixture('cwd.sh')]), event(), 200),
    ]);
    assert.equal(first.status, 'timeout');
    assert.equal(second.status, 'timeout');
    assert.match(second.error!.message, /waiting for a free command slot .* did not start/);
    await waitFor(async () => processesWith(e.id).length === 0, 'the group to be gone');
  });
});
