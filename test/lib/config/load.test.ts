import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../../lib/config/index.ts';
import { isHookdError } from '../../../lib/errors.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

function writeYaml(name: string, text: string): string {
  const file = join(temp.dir, name);
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): { message: string; problems: Array<Record<string, unknown>> } {
  try {
    fn();
  } catch (e) {
    assert.ok(isHookdError(e), 'a HookdError');
    assert.equal(e.code, 'CONFIG');
    return { message: e.message, problems: (e.details as { problems: Array<Record<string, unknown>> }).problems };
  }
  assert.fail('expected a config error');
}

describe('config loading', () => {
  test('a limit profile bounds ArrayBuffers with "external", by default as much as its heap', () => {
    const file = writeYaml('profiles.yaml', 'runtime:\n  profiles:\n    default: { heap: 64MiB }\n    big: { heap: 128MiB, external: 512MiB }\n');
    const c = loadConfig({ file, env: {} });
    assert.equal(c.runtime.profiles.default?.maxExternalMb, 64);
    assert.equal(c.runtime.profiles.big?.maxExternalMb, 512);
    assert.equal(loadConfig({ env: {} }).runtime.profiles.large?.maxExternalMb, 256);
  });

  test('the embedded default alone gives the documented defaults', () => {
    const c = loadConfig({ env: {}, cwd: '/srv/x' });
    assert.equal(c.server.host, '127.0.0.1');
    assert.equal(c.server.port, 7700);
    assert.equal(c.server.bodyLimit, 1024 * 1024);
    assert.equal(c.dataDir, '/srv/x/data');
    assert.equal(c.hooks.dir, '/srv/x/hooks');
    assert.equal(c.storage.file, '/srv/x/data/hookd.sqlite');
    assert.equal(c.catalog['media.added']?.kind, 'business');
    assert.equal(c.catalog['download.progress']?.kind, 'progress');
    assert.ok(Object.isFrozen(c.server), 'config is frozen');
  });

  test("a user's file changes only the keys it names; maps merge and lists replace", () => {
    const file = writeYaml(
      'user.yaml',
      'server:\n  port: 8123\nstorage:\n  retention:\n    events: 2d\ncatalog:\n  custom.thing:\n    kind: business\n',
    );
    const c = loadConfig({ file, env: {} });
    assert.equal(c.server.port, 8123);
    assert.equal(c.server.host, '127.0.0.1', 'untouched sibling keeps its default');
    assert.equal(c.storage.retention.eventsMs, 2 * 86_400_000);
    assert.ok(c.catalog['custom.thing'], 'new catalog type added');
    assert.ok(c.catalog['media.added'], 'default catalog types kept');
    assert.deepEqual(c.sources.at(-1), file);
  });

  test('HOOKD_CONFIG names the file and env variables override both files', () => {
    const file = writeYaml('env.yaml', 'server:\n  port: 9000\n');
    const c = loadConfig({
      env: { HOOKD_CONFIG: file, HOOKD_PORT: '9100', HOOKD_HOST: '0.0.0.0', HOOKD_DATA_DIR: '/tmp/d', HOOKD_HOOKS_DIR: '/tmp/h' },
    });
    assert.equal(c.server.port, 9100);
    assert.equal(c.server.host, '0.0.0.0');
    assert.equal(c.dataDir, '/tmp/d');
    assert.equal(c.hooks.dir, '/tmp/h');
  });

  test('HOOKD_TOKEN adds an admin token', () => {
    const c = loadConfig({ env: { HOOKD_TOKEN: 'a-very-long-token-value' } });
    assert.deepEqual(c.auth.tokens, [{ name: 'HOOKD_TOKEN', token: 'a-very-long-token-value', scopes: ['admin'] }]);
  });

  test('HOOKD_TOKEN_FILE adds the admin token read from that file, without its line break', () => {
    const file = writeYaml('token.txt', 'a-token-kept-in-a-file\n');
    const c = loadConfig({ env: { HOOKD_TOKEN_FILE: file } });
    assert.deepEqual(c.auth.tokens, [{ name: 'HOOKD_TOKEN', token: 'a-token-kept-in-a-file', scopes: ['admin'] }]);
  });

  const tokenFileErrors: Array<[string, Record<string, string>, RegExp]> = [
    ['a missing file', { HOOKD_TOKEN_FILE: '/nonexistent/hookd/token' }, /^HOOKD_TOKEN_FILE: cannot read \/nonexistent\/hookd\/token: ENOENT/],
    ['an empty file', { HOOKD_TOKEN_FILE: 'EMPTY' }, /must hold the token on one line/],
    ['a file of several lines', { HOOKD_TOKEN_FILE: 'LINES' }, /must hold the token on one line/],
    ['a FIFO (never waited on)', { HOOKD_TOKEN_FILE: 'FIFO' }, /^HOOKD_TOKEN_FILE: cannot read .*token-fifo: it is a FIFO, not a regular file/],
    ['both variables', { HOOKD_TOKEN_FILE: 'LINES', HOOKD_TOKEN: 'a-very-long-token-value' }, /^HOOKD_TOKEN_FILE: both HOOKD_TOKEN and HOOKD_TOKEN_FILE are set/],
  ];
  const tokenFifo = join(temp.dir, 'token-fifo');
  execFileSync('mkfifo', [tokenFifo]);
  for (const [name, env, message] of tokenFileErrors) {
    test(`HOOKD_TOKEN_FILE: ${name} is a config error`, () => {
      const files: Record<string, string> = { EMPTY: writeYaml('empty-token.txt', ''), LINES: writeYaml('lines-token.txt', 'first-line-of-it\nsecond-line-of-it\n'), FIFO: tokenFifo };
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, files[v] ?? v]));
      assert.match(configError(() => loadConfig({ env: resolved })).message, message);
    });
  }

  test('commands.user and commands.group take names or ids; commands.tracking is auto, cgroup or proc', () => {
    const c = loadConfig({ file: writeYaml('run-as.yaml', 'commands:\n  user: nobody\n  group: 65534\n  tracking: proc\n'), env: {} });
    assert.deepEqual([c.commands.user, c.commands.group, c.commands.tracking], ['nobody', '65534', 'proc']);
    const d = loadConfig({ env: {} });
    assert.deepEqual([d.commands.user, d.commands.group, d.commands.tracking], [null, null, 'auto']);
    for (const bad of ['"-r"', '"a:b"', '-1', 'sometimes']) {
      const key = bad === 'sometimes' ? 'tracking' : 'user';
      const { problems } = configError(() => loadConfig({ file: writeYaml(`bad-run-as-${key}.yaml`, `commands:\n  ${key}: ${bad}\n`), env: {} }));
      assert.ok(problems.some((p) => p.key === `commands.${key}`), `${bad} is refused`);
    }
  });

  const invalid: Array<[string, string, string, number]> = [
    ['a wrong type', 'server:\n  port: "high"\n', 'server.port', 2],
    ['an unknown key', 'server:\n  prot: 1\n', 'server.prot', 2],
    ['a malformed duration', 'storage:\n  retention:\n    events: soon\n', 'storage.retention.events', 3],
    ['a malformed size', 'server:\n  bodyLimit: 12 parsecs\n', 'server.bodyLimit', 2],
    ['a bad catalog kind', 'catalog:\n  my.type:\n    kind: urgent\n', 'catalog["my.type"].kind', 3],
  ];
  for (const [name, yaml, key, line] of invalid) {
    test(`${name} is reported with its key and file line`, () => {
      const file = writeYaml(`bad-${key}.yaml`, yaml);
      const { message, problems } = configError(() => loadConfig({ file, env: {} }));
      const problem = problems.find((p) => p.key === key);
      assert.ok(problem, `a problem for ${key} in: ${message}`);
      assert.equal(problem.file, file);
      assert.equal(problem.line, line);
      assert.match(message, new RegExp(key.replace(/[.[\]"]/g, '\\$&')));
    });
  }

  test('a bad env override names the variable', () => {
    const { message } = configError(() => loadConfig({ env: { HOOKD_PORT: 'eighty' } }));
    assert.match(message, /server\.port: .*HOOKD_PORT/);
  });

  test('a YAML syntax error gives the file and line', () => {
    const file = writeYaml('syntax.yaml', 'server:\n  port: [1,\n');
    const { message } = configError(() => loadConfig({ file, env: {} }));
    assert.match(message, new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: YAML syntax error`));
  });

  test('a YAML syntax error never quotes the file: a broken secret line stays out of the message', () => {
    const file = writeYaml('secret-syntax.yaml', 'secrets:\n  TOKEN: hunter2-secret: more\n');
    const { message, problems } = configError(() => loadConfig({ file, env: {} }));
    assert.match(message, /:2:\d+: YAML syntax error: /);
    assert.ok(!message.includes('hunter2') && !JSON.stringify(problems).includes('hunter2'), message);
  });

  test('a YAML alias bomb is a config error naming the file, not a crash', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    const file = writeYaml('bomb.yaml', levels.join('\n') + '\n');
    const { message } = configError(() => loadConfig({ file, env: {} }));
    assert.match(message, /bomb\.yaml: .*alias/i);
  });

  test('a config path that is not a regular file is refused without being read (a FIFO would block, /dev/zero never ends)', () => {
    const fifo = join(temp.dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const [file, what] of [[fifo, 'a FIFO'], ['/dev/zero', 'a device'], [temp.dir, 'a directory']] as const) {
      const { message } = configError(() => loadConfig({ file, env: {} }));
      assert.match(message, new RegExp(`cannot read config file ${file.replace(/[.]/g, '\\.')}: it is ${what}, not a regular file`));
    }
  });

  test('a config file over 16 MiB is refused unread', () => {
    const file = join(temp.dir, 'huge.yaml');
    writeFileSync(file, '');
    truncateSync(file, 16 * 1024 * 1024 + 1);
    const { message } = configError(() => loadConfig({ file, env: {} }));
    assert.match(message, /huge\.yaml: .*16777217 bytes, over the 16 MiB limit/);
  });

  test('a missing file is a clear error', () => {
    const { message } = configError(() => loadConfig({ file: join(temp.dir, 'nope.yaml'), env: {} }));
    assert.match(message, /cannot read config file .*nope\.yaml/);
  });

  test('inherited names are keys like any other: a secret named constructor, and __proto__ never becomes a prototype', () => {
    const file = writeYaml('inherited.yaml', 'secrets:\n  constructor: "ctor-secret"\n  toString: "ts-secret"\nruntime:\n  profiles:\n    constructor: { heap: 32MiB }\n');
    const c = loadConfig({ file, env: {} });
    assert.equal(Object.getOwnPropertyDescriptor(c.secrets, 'constructor')?.value, 'ctor-secret');
    assert.equal(Object.getOwnPropertyDescriptor(c.secrets, 'toString')?.value, 'ts-secret');
    assert.equal(c.runtime.profiles['constructor']?.maxOldGenerationSizeMb, 32);
    const proto = writeYaml('proto.yaml', 'secrets:\n  __proto__: { polluted: "x" }\n');
    const { message } = configError(() => loadConfig({ file: proto, env: {} }));
    assert.match(message, /secrets\["?__proto__"?\]|secrets\.__proto__/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('log caps: runtime.maxLogLines and commands.maxOutputLines have defaults and are checked', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.runtime.maxLogBytes, 64 * 1024);
    assert.equal(c.runtime.maxLogLines, 1000);
    assert.equal(c.commands.maxOutputLines, 1000);
    const file = writeYaml('lines.yaml', 'runtime:\n  maxLogLines: 0\n');
    assert.match(configError(() => loadConfig({ file, env: {} })).message, /runtime\.maxLogLines/);
  });
});
