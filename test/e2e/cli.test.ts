// `hookd` as hook authors and scripts run it: real child processes, their output and exit
// codes (0 ok, 1 a hook failed, 2 usage, config or hook errors).
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CLI } from '../helpers/daemon.ts';
import { processesWithEnv } from '../helpers/process-tree.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin/hookd.js');

function hookd(args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string; cli?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [options.cli ?? CLI, ...args], {
    cwd: options.cwd ?? REPO,
    input: options.input ?? '',
    env: { PATH: process.env.PATH ?? '', ...options.env },
    encoding: 'utf8',
    // A guard against a CLI that does not exit, not a timing assertion.
    timeout: 60_000,
  });
}

const temp = makeTempDir();
after(() => temp.remove());

function write(rel: string, text: string): string {
  const path = join(temp.dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('hookd --help', () => {
  for (const verb of ['serve', 'check', 'run-hook', 'replay', 'migrate', 'token create']) {
    it(`explains \`${verb}\` and exits 0`, () => {
      const r = hookd([...verb.split(' '), '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: hookd ${verb}`));
    });
  }

  it("matches the README's command table: every verb has a row naming each of its options, and no other", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const wrong: string[] = [];
    for (const verb of ['serve', 'check', 'run-hook', 'replay', 'migrate', 'token create']) {
      const help = hookd([...verb.split(' '), '--help']).stdout;
      const options = [...help.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)].map(([, short, long]) => ({ short, long: long! })).filter((o) => o.long !== '--help');
      const row = readme.split('\n').find((line) => line.startsWith(`| \`hookd ${verb} `) || line.startsWith(`| \`hookd ${verb}\``));
      if (!row) {
        wrong.push(`${verb}: no row`);
        continue;
      }
      const usage = row.split(/(?<!\\)\|/)[1]!; // a cell may hold escaped pipes (`FILE.json\|-\|JSON`)
      const named = new Set(usage.match(/(?<![\w-])--?[a-z][\w-]*/g));
      for (const o of options) if (!named.has(o.long) && !(o.short && named.has(o.short))) wrong.push(`${verb}: the README leaves out ${o.long}`);
      for (const flag of named) if (!options.some((o) => o.long === flag || o.short === flag)) wrong.push(`${verb}: the README names ${flag}, which it does not take`);
    }
    assert.deepEqual(wrong, []);
  });

  it('documents run-hook\'s flags and exit codes', () => {
    const r = hookd(['run-hook', '--help']);
    for (const flag of ['--event', '--payload', '--config', '--json', '--allow-net', '--allow-env']) assert.match(r.stdout, new RegExp(flag));
    assert.match(r.stdout, /Exit codes: 0 the hook ran ok; 1 it failed/);
  });

  it('works through the package bin (npx hookd), and an unknown option is a usage error (2)', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /run-hook/);
    const bad = spawnSync(process.execPath, [BIN, 'check', '--bogus'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option '--bogus'/);
  });
});

describe('hookd run-hook', () => {
  it('runs a filter from the examples with a payload file and prints logs, result, payload and the outcome', () => {
    const payload = write('frieren.json', JSON.stringify({ title: 'Frieren', genres: ['Anime'] }));
    const r = hookd(['run-hook', 'hooks/media.added/10-anime-settings.js', '--payload', payload]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^hooks\/media\.added\/10-anime-settings\.js: filter "anime-settings" on media\.added/);
    assert.match(r.stdout, /info {2}"Frieren" looks like anime/);
    assert.match(r.stdout, /payload after this filter:\n[^]*"qualityProfile": "Anime"/);
    assert.match(r.stdout, /\nok in \d+(\.\d)? ms\n$/);
  });

  it('reads the payload from stdin with - and prints one JSON object with --json', () => {
    const r = hookd(['run-hook', 'hooks/media.added/10-anime-settings.js', '--event', 'media.added', '--payload', '-', '--json'], {
      input: JSON.stringify({ title: 'Heat', genres: ['Crime'] }),
    });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.status, 'ok');
    assert.equal(report.mode, 'filter');
    assert.equal(report.changed, false);
    assert.equal(typeof report.durationMs, 'number');
    assert.deepEqual(report.logs, []);
  });

  it('a result JSON cannot hold (a BigInt) is invalid-result, exits 1, and --json still prints one JSON object', () => {
    const file = write('bigint.js', 'export default () => ({ size: 10n });\n');
    const r = hookd(['run-hook', file, '--event', 'media.added', '-p', '{"title":"x"}', '--json']);
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.status, 'invalid-result');
    assert.equal(report.result, undefined);
    assert.match(report.error.message, /BigInt.*\/size/);
  });

  it('runs a TypeScript hook, and a runtime error exits 1 pointing at the .ts line', () => {
    const file = write('ts/boom.ts', [
      "import type { HookContext, HookEvent } from '../../types/hookd.ts';",
      'interface Payload { title: string }',
      '',
      'export default function (event: HookEvent<"media.added">, ctx: HookContext): void {',
      '  const p = event.payload as Payload;',
      '  ctx.log.warn(`about to fail on ${p.title}`);',
      '  throw new Error(`cannot handle ${p.title}`);',
      '}',
      '',
    ].join('\n'));
    const r = hookd(['run-hook', file, '--event', 'media.added', '-p', '{"title":"Akira"}']);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /warn {2}about to fail on Akira/);
    assert.match(r.stdout, /error in [\d.]+ ms \(.*boom\.ts:7:9\): cannot handle Akira/);
    assert.match(r.stdout, /at default \(.*boom\.ts:7:9\)/);
  });

  it('exits 1 with status timeout when the hook runs past its timeoutMs (the daemon\'s limits apply)', () => {
    const file = write('loop.js', 'export const config = { timeoutMs: 300 };\nexport default function () { for (;;) {} }\n');
    const r = hookd(['run-hook', file, '--event', 'download.completed', '-p', '{"title":"x"}', '--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 'timeout');
  });

  it('exits 2 with file:line:column for a syntax error', () => {
    const file = write('media.added/10-broken.js', 'export default function (event) {\n  return event.payload.;\n}\n');
    const r = hookd(['run-hook', file, '-p', '{"title":"x"}']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /10-broken\.js:2:24: Unexpected token/);
    assert.equal(r.stdout, '');
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['a payload the event type\'s schema refuses', ['--event', 'media.added', '-p', '{"year":1999}'], /payload does not match the schema of "media\.added": \/title is required/],
    ['an unknown event type', ['--event', 'media.exploded'], /unknown event type "media\.exploded": the catalog has .*media\.added/],
    ['a progress event type', ['--event', 'download.progress'], /"download\.progress" is a progress event type: hooks never run for it/],
    ['no event type at all', [], /which event\? pass --event <type>/],
    ['a payload that is not JSON', ['--event', 'media.added', '-p', '{title'], /the payload in --payload is not valid JSON/],
    ['a payload nested deeper than events.maxDepth', ['--event', 'media.added', '-p', `{"title":"x","d":${'['.repeat(5000)}${']'.repeat(5000)}}`], /JSON nested more than 64 levels deep at "\/d(\/0){63}".*events\.maxDepth/],
    ['a malformed --allow-net entry', ['--event', 'media.added', '-p', '{"title":"x"}', '--allow-net', 'http://x/'], /invalid --allow-net/],
    ['HOOKD_TOKEN as --allow-env', ['--event', 'media.added', '-p', '{"title":"x"}', '--allow-env', 'HOOKD_TOKEN'], /--allow-env HOOKD_TOKEN: cannot be granted to a hook: names starting with HOOKD_/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 for ${what}`, () => {
      const file = write('plain.js', 'export default () => 1;\n');
      const r = hookd(['run-hook', file, ...args]);
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, message);
    });
  }

  it('exits 2 for --allow-env naming a variable whose value is a daemon token, and never prints the value', () => {
    const token = 'cli-admin-token-0123456789abcdef';
    const file = write('plain.js', 'export default () => 1;\n');
    const r = hookd(['run-hook', file, '--event', 'media.added', '-p', '{"title":"x"}', '--allow-env', 'COPY'], { env: { HOOKD_TOKEN: token, COPY: token } });
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /--allow-env COPY: cannot be granted to a hook: its value is one of hookd's own credentials/);
    assert.ok(!r.stderr.includes(token) && !r.stdout.includes(token));
  });

  describe('with --allow-net and --allow-env', () => {
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver();
    });
    after(() => receiver.close());

    it('grants the notify example a local receiver and NOTIFY_URL from the environment', async () => {
      const url = `${receiver.url}/api/webhook/test`;
      const host = new URL(url).host;
      // spawnSync would block the receiver in this process: run the child asynchronously.
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [CLI, 'run-hook', 'hooks/download.completed/60-notify.js', '-p', '{"title":"Heat"}', '--allow-net', host, '--json'], {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', NOTIFY_URL: url },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, out);
      assert.deepEqual(JSON.parse(out).result, { sent: true, status: 200 });
      assert.equal(JSON.parse(receiver.requests[0]!.body).message, 'Heat');
    });
  });
});

describe('hookd check', () => {
  it('passes the repository\'s own hooks directory (every example loads)', () => {
    const r = hookd(['check']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /configuration ok/);
    for (const example of ['media.added/10-anime-settings.js', 'download.completed/60-notify.js', 'media.imported/20-clean-title.ts', 'library.scan.completed/50-scan-report.js', 'download.completed/90-disk-space.sh']) {
      assert.match(r.stdout, new RegExp(`hooks/${example.replace(/\./g, '\\.')}: ok`));
    }
    assert.match(r.stdout, /\d+ hooks ok, 0 with errors in hooks\n$/);
  });

  it('warns, with file and line, about a setting the chosen storage client ignores, and still passes', () => {
    const config = write('notice/hookd.yaml', `dataDir: ${join(temp.dir, 'notice', 'data')}\nstorage:\n  client: postgres\nwebhooks:\n  pollInterval: 2s\n`);
    const hooks = join(temp.dir, 'notice', 'hooks');
    mkdirSync(hooks, { recursive: true });
    const r = hookd(['check', '--config', config, '--hooks-dir', hooks], { env: { HOOKD_DATABASE_URL: 'postgres://127.0.0.1:1/none' } });
    assert.equal(r.status, 0, r.stderr);
    const warning = r.stderr.split('\n').find((line) => line.startsWith(`${config}:5:`));
    assert.match(warning ?? r.stderr, /^\S+:5:\d+: warning: webhooks\.pollInterval has no effect with storage\.client postgres/);
    assert.match(r.stdout, /0 hooks ok, 0 with errors/);
  });

  // A hook of each kind of problem, and two good ones.
  function writeBrokenHooks(): string {
    const dir = join(temp.dir, 'check-hooks');
    const put = (rel: string, text: string) => {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };
    put('media.added/10-good.js', 'export default (event) => event.payload.title;\n');
    put('media.added/15-mts.mts', 'export const config = { mode: "filter" } satisfies { mode: string };\nexport default (e: { payload: object }) => ({ patch: {} });\n');
    put('media.added/20-syntax.js', 'export default (event) => {\n  return event.payload.;\n};\n');
    put('media.added/30-typed.ts', 'export default function (e: unknown): number {\n  const x: number = ;\n  return x;\n}\n');
    put('media.added/40-enum.ts', 'enum Kind { A }\nexport default () => Kind.A;\n');
    put('media.added/50-config.js', 'const mode = "filter";\nexport const config = { mode };\nexport default () => 1;\n');
    put('50-top-level.js', 'export const config = { events: ["media.nothing"], mode: "action" };\nexport default () => 1;\n');
    put('media.added/60-string.js', 'export default () => "see import(x)";\n');
    return dir;
  }

  it('reports every broken hook as path:line:column: message and exits 2', () => {
    const dir = writeBrokenHooks();
    const r = hookd(['check', '--hooks-dir', dir], { cwd: temp.dir });
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stdout, /check-hooks\/media\.added\/10-good\.js: ok, action on media\.added/);
    assert.match(r.stdout, /check-hooks\/media\.added\/15-mts\.mts: ok, filter on media\.added/);
    assert.match(r.stderr, /^check-hooks\/media\.added\/20-syntax\.js:2:24: Unexpected token$/m);
    assert.match(r.stderr, /^check-hooks\/media\.added\/30-typed\.ts:2:21: Unexpected token$/m);
    assert.match(r.stderr, /^check-hooks\/media\.added\/40-enum\.ts:1:1: an enum is not erasable TypeScript/m);
    assert.match(r.stderr, /^check-hooks\/media\.added\/50-config\.js:2:25: export const config may hold only literal values/m);
    assert.match(r.stderr, /^check-hooks\/50-top-level\.js: event pattern "media\.nothing" matches no event type/m);
    assert.match(r.stderr, /^check-hooks\/media\.added\/60-string\.js:1:27: rejected by the sandbox: "import\(" \(even inside a string\); split it/m);
    assert.match(r.stderr, /2 hooks ok, 6 with errors in check-hooks\n$/);
  });

  // check compiles in a process started from the build's snapshot (dist/runtime/compile/compile.blob);
  // without a usable one it compiles in a worker thread, and must say exactly the same.
  it('reports the same without the build\'s compile snapshot: missing, of another Node, or refused by V8', () => {
    const dir = writeBrokenHooks();
    const blob = join(REPO, 'dist/runtime/compile/compile.blob');
    assert.ok(existsSync(blob) && existsSync(`${blob}.json`), 'the build makes the compile snapshot');
    // A fresh data directory each time: every hook is compiled, none read from the compile cache.
    // A copy of the package to break: its build, and the same node_modules.
    const copy = join(temp.dir, 'build-copy');
    const check = (cli?: string) => {
      const data = join(temp.dir, `data-${Math.random().toString(36).slice(2)}`);
      const r = hookd(['check', '--hooks-dir', dir], { cwd: temp.dir, cli, env: { HOOKD_DATA_DIR: data } });
      // The first line names the package's default config file: the copy's own.
      return { status: r.status, stdout: r.stdout.replaceAll(`${copy}/`, REPO), stderr: r.stderr };
    };
    const withSnapshot = check();
    assert.equal(withSnapshot.status, 2);
    for (const part of ['package.json', 'config', 'dist/lib', 'dist/runtime']) cpSync(join(REPO, part), join(copy, part), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    const copiedBlob = join(copy, 'dist/runtime/compile/compile.blob');
    const copiedCli = join(copy, 'dist/lib/cli.js');
    const meta = JSON.parse(readFileSync(`${copiedBlob}.json`, 'utf8')) as Record<string, unknown>;

    writeFileSync(copiedBlob, 'not a V8 snapshot');
    assert.deepEqual(check(copiedCli), withSnapshot, 'a blob V8 refuses');
    writeFileSync(`${copiedBlob}.json`, JSON.stringify({ ...meta, node: 'v0.0.1' }));
    assert.deepEqual(check(copiedCli), withSnapshot, 'a blob of another Node');
    rmSync(copiedBlob);
    rmSync(`${copiedBlob}.json`);
    assert.deepEqual(check(copiedCli), withSnapshot, 'no blob');
  });

  it('exits 2 naming the key when the config is invalid, before looking at hooks, and leaves no compile process behind', () => {
    const config = write('bad.yaml', 'runtime:\n  timeout: soon\n');
    // check starts its compile process before it reads the config: it must end with check.
    const mark = `HOOKD_TEST_MARK=${process.pid}-${Math.random().toString(36).slice(2)}`;
    const r = hookd(['check', '--config', config], { env: { HOOKD_TEST_MARK: mark.split('=')[1]! } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /runtime\.timeout/);
    assert.deepEqual(processesWithEnv(mark), []);
  });
});
