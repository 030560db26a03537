// The hooks directory tried as someone with write access to it would, against the running
// daemon: FIFOs as hook files and sidecars, 4 MB files, symlinks to /proc/self/environ and to
// files outside, directory symlink loops. The daemon keeps answering, each bad file is listed
// disabled with its reason and logged, and nothing of the outside or oversized text is served.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, startTestDaemon, writeTestConfig, type TestDaemon } from '../helpers/daemon.ts';
import { request } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const MARKERS = ['OUTSIDE-SECRET-TEXT', 'OUTSIDE-SIDECAR-TEXT', 'BIG-HOOK-TEXT', 'BIG-SIDECAR-TEXT'];
const FOUR_MB = 4 * 1024 * 1024;

const temp = makeTempDir();
const hooks = join(temp.dir, 'hooks');
const outside = join(temp.dir, 'outside');
let d: TestDaemon;

function put(rel: string, text: string, mode = 0o644): string {
  const path = join(hooks, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}
const fifo = (rel: string) => execFileSync('mkfifo', [join(hooks, rel)]);
const link = (rel: string, target: string) => symlinkSync(target, join(hooks, rel));
const SCRIPT = '#!/bin/sh\nexit 0\n';
const bigHook = () => `export default () => {};\n// ${'BIG-HOOK-TEXT '.repeat(FOUR_MB / 14)}\n`;
const bigSidecar = () => JSON.stringify({ mode: 'action', description: 'BIG-SIDECAR-TEXT '.repeat(FOUR_MB / 17) });

/** Plants every attack; `tag` keeps names apart between the start-up round and the live one. */
function plant(tag: string): void {
  fifo(`media.added/10-fifo${tag}.js`);
  put(`media.added/20-fifo-sidecar${tag}.sh`, SCRIPT, 0o755);
  fifo(`media.added/20-fifo-sidecar${tag}.sh.json`);
  put(`media.added/30-big${tag}.js`, bigHook());
  put(`media.added/40-big-sidecar${tag}.sh`, SCRIPT, 0o755);
  put(`media.added/40-big-sidecar${tag}.sh.json`, bigSidecar());
  link(`media.added/50-environ${tag}.js`, '/proc/self/environ');
  link(`media.added/60-outside${tag}.js`, join(outside, 'secret.js'));
  put(`media.added/70-outside-sidecar${tag}.sh`, SCRIPT, 0o755);
  link(`media.added/70-outside-sidecar${tag}.sh.json`, join(outside, 'sidecar.json'));
  link(`loop${tag}`, '.');
  link(`up${tag}`, '..');
}

// [the hook's file, why it is refused, the file `hookd check` names (the sidecar for sidecars)]
const BAD = (tag: string): Array<[string, RegExp, string?]> => [
  [`media.added/10-fifo${tag}.js`, /is a FIFO, not a regular file: refused/],
  [`media.added/20-fifo-sidecar${tag}.sh`, /^media\.added\/20-fifo-sidecar\d\.sh\.json: is a FIFO, not a regular file: refused/, '.json'],
  [`media.added/30-big${tag}.js`, /is \d+ bytes, over the \d+-byte limit \(runtime\.maxSourceSize\): refused unread/],
  [`media.added/40-big-sidecar${tag}.sh`, /^media\.added\/40-big-sidecar\d\.sh\.json: is \d+ bytes, over the 65536-byte limit/, '.json'],
  [`media.added/50-environ${tag}.js`, /resolves to \/proc\/.*environ, outside the hooks directory: refused/],
  [`media.added/60-outside${tag}.js`, /outside[/\\]secret\.js, outside the hooks directory: refused/],
  [`media.added/70-outside-sidecar${tag}.sh`, /^media\.added\/70-outside-sidecar\d\.sh\.json: resolves to .*outside[/\\]sidecar\.json, outside the hooks directory: refused/, '.json'],
];

function assertNothingLeaked(text: string): void {
  for (const marker of MARKERS) assert.ok(!text.includes(marker), `served text holds ${marker}`);
  // The daemon's environment as /proc/self/environ shows it (NUL-separated NAME=value).
  assert.ok(!text.includes(`PATH=${process.env.PATH}`), 'served text holds the environment');
}

const fileHooks = async () => ((await d.call('GET', '/hooks')).body.items as Array<Record<string, any>>).filter((h) => h.origin === 'file');

before(async () => {
  writeTestConfig(temp.dir);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.js'), 'export const config = { mode: "filter" };\nexport default () => ({ patch: { leak: "OUTSIDE-SECRET-TEXT" } });\n');
  writeFileSync(join(outside, 'sidecar.json'), JSON.stringify({ mode: 'action', description: 'OUTSIDE-SIDECAR-TEXT' }));
  put('media.added/80-good.js', 'export const config = { mode: "filter" };\nexport default () => ({ patch: { good: true } });\n');
  // A symlink that stays inside the directory is a hook like its target.
  mkdirSync(join(hooks, 'media.updated'));
  link('media.updated/10-shared.js', '../media.added/80-good.js');
  plant('0');
  // Were the FIFOs opened blocking, this start would never finish.
  d = await startTestDaemon({ dir: temp.dir, config: { hooks: { watch: true, watchDebounce: '50ms' } } });
});
after(async () => {
  await d.close();
  temp.remove();
});

describe('a hostile hooks directory at start', () => {
  test('the daemon answers, and the good hook and the inside symlink load and run', async () => {
    assert.equal((await request(d.url, 'GET', '/healthz')).status, 200);
    const list = await fileHooks();
    for (const name of ['good', 'shared']) assert.equal(list.find((h) => h.name === name)?.enabled, true, name);
    const run = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'x' } });
    assert.equal(run.body.payload.good, true, run.text);
    assert.equal(run.body.payload.leak, undefined);
  });

  test('each bad file is listed disabled with why, without its text, and logged', async () => {
    const list = await fileHooks();
    for (const [file, reason] of BAD('0')) {
      const hook = list.find((h) => h.file === file);
      assert.ok(hook, `${file} is listed`);
      assert.equal(hook.enabled, false, file);
      assert.match(hook.disabledReason, reason, file);
      assert.ok(hook.source === null || hook.source === undefined, `${file} has no stored text`);
      assert.ok(d.logs.lines().some((l) => l.file === file && String(l.error).match(reason)), `${file} is logged`);
    }
    for (const loop of ['loop0', 'up0']) {
      assert.ok(d.logs.lines().some((l) => l.file === loop && /symlink to a directory, which is not followed/.test(String(l.error))), `${loop} is logged`);
    }
  });

  test('no listing and no hook serves outside or oversized text', async () => {
    assertNothingLeaked((await d.call('GET', '/hooks')).text);
    for (const hook of await fileHooks()) assertNothingLeaked((await d.call('GET', `/hooks/${hook.id}`)).text);
  });
});

describe('a hostile hooks directory while running', () => {
  test('new bad files are refused by the watcher while /healthz and the API keep answering', async () => {
    plant('1');
    const answers: number[] = [];
    const listed = await waitFor(async () => {
      answers.push((await request(d.url, 'GET', '/healthz')).status);
      const list = await fileHooks();
      return BAD('1').every(([file]) => list.some((h) => h.file === file && h.enabled === false)) ? list : undefined;
    }, 'the new bad files to be listed disabled', 60_000);
    assert.ok(answers.length > 0 && answers.every((s) => s === 200));
    for (const [file, reason] of BAD('1')) assert.match(listed.find((h) => h.file === file)!.disabledReason, reason);
    assertNothingLeaked((await d.call('GET', '/hooks')).text);
    // Writing to the FIFO later changes nothing: it was never opened.
    assert.equal((await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'y' } })).body.payload.good, true);
  });
});

describe('hookd check on a hostile hooks directory', () => {
  test('reports each bad entry as path: message, exits 2, and prints no outside text', async () => {
    // Asynchronous on purpose: a CLI blocked on a FIFO must fail this test, not hang the runner.
    const child = spawn(process.execPath, [CLI, 'check', '--config', d.configFile, '--hooks-dir', hooks], {
      cwd: temp.dir,
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000); // against a hang, not a timing assertion
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(guard);
    assert.equal(code, 2, stderr);
    for (const [file, reason, suffix = ''] of [...BAD('0'), ...BAD('1')]) {
      const line = stderr.split('\n').find((l) => l.startsWith(`hooks/${file}${suffix}: `));
      assert.ok(line, `${file} reported in:\n${stderr}`);
      assert.match(line.slice('hooks/'.length), reason);
    }
    for (const loop of ['loop0', 'up1']) assert.match(stderr, new RegExp(`^hooks/${loop}: is a symlink to a directory`, 'm'));
    assert.match(stdout, /hooks\/media\.added\/80-good\.js: ok/);
    assert.match(stdout, /hooks\/media\.updated\/10-shared\.js: ok/);
    assertNothingLeaked(stdout + stderr);
  });
});
