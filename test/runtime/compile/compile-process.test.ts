// The compile process started from the build's snapshot (runtime/client/compile-process.ts):
// every answer equal to the compile worker's own handlers run in this thread, a deadline that
// kills a task without failing the ones behind it, and no process for a missing, stale or
// unusable blob (the compiler then uses its worker thread). Needs the build: npm test makes it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { compileProcessEnv, currentSnapshotMeta, openCompileProcess } from '../../../runtime/client/compile-process.ts';
// @ts-expect-error: plain JavaScript without declarations; the worker thread's handlers themselves.
import compileHookSource, { analyzeHook } from '../../../runtime/compile/compile-worker.mjs';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const DIST = fileURLToPath(new URL('../../../dist/runtime/compile/', import.meta.url));
const BUILT = { blob: join(DIST, 'compile.blob'), meta: join(DIST, 'compile.blob.json') };
const HOOKS = fileURLToPath(new URL('../../../hooks/', import.meta.url));
const exampleHooks = () => readdirSync(HOOKS, { recursive: true, encoding: 'utf8' }).filter((f) => /\.m?[jt]s$/.test(f) && !f.endsWith('.d.ts'));
const temp = makeTempDir();
after(() => temp.remove());

// Each kind of answer: good JavaScript and TypeScript, a config, and every refusal.
const SOURCES: Array<[string, string]> = [
  ['hooks/good.js', 'export const config = { mode: "filter", priority: -0, events: ["media.*"] };\nexport default async (event) => ({ ...event.payload, at: `${event.id}` });\n'],
  ['hooks/good.ts', 'interface P { title: string }\nexport default (e: { payload: P }): P => ({ title: e.payload.title!.trim() });\n'],
  ['hooks/syntax.js', 'export default (event) => {\n  return event.payload.;\n};\n'],
  ['hooks/typed.ts', 'export default function (e: unknown): number {\n  const x: number = ;\n  return x;\n}\n'],
  ['hooks/enum.ts', 'enum Kind { A }\nexport default () => Kind.A;\n'],
  ['hooks/import.js', 'import x from "node:fs";\nexport default () => x;\n'],
  ['hooks/no-default.js', 'export const a = 1;\n'],
  ['hooks/string.js', 'export default () => "see import(x)";\n'],
  ['hooks/config.js', 'const mode = "filter";\nexport const config = { mode };\nexport default () => 1;\n'],
  ['hooks/meta.js', 'export default () => import.meta.url;\n'],
  // JavaScript the worker parses once for its config, its comments and ModuleSource (module-source-parse.mjs):
  // comments anywhere (one naming import( and an HTML comment, erased), parentheses kept as nodes, a #! line.
  ['hooks/comments.js', [
    '/** @param {import("x").Event} event */ // <!-- not html',
    'export const config = (/* mode */ { mode: ("filter"), events: [("media.*")], priority: (-1) });',
    'const re = /\\/\\/not-a-comment/g; // trailing',
    'export default async function /* name */ (event, /* ctx */ ctx) {',
    '  const url = `http://x/${event.id}//${(1 + 2) * 3}`; /* block',
    '  over lines */ return { ...(event.payload), url, ok: re.test(url) };',
    '} // end'].join('\n')],
  ['hooks/shebang.js', '#!/usr/bin/env node\n// a hook with a #! line\nexport default (e) => e.payload;\n'],
  ['hooks/paren-default.js', 'export default ((event) => (event.payload));\n'],
];

describe('the compile process from the build\'s snapshot', { skip: existsSync(BUILT.blob) ? false : 'no build: run npm run build' }, () => {
  it('answers every task exactly as the worker thread\'s handlers do', async () => {
    const proc = openCompileProcess(BUILT);
    assert.ok(proc, 'the build\'s blob is usable with this Node');
    try {
      assert.equal(await proc.ready(), true);
      for (const [filename, source] of SOURCES) {
        const signal = AbortSignal.timeout(60_000);
        assert.deepEqual(await proc.run({ source, filename }, 'analyzeHook', signal), analyzeHook({ source, filename }), filename);
        assert.deepEqual(await proc.run({ source, filename }, 'default', signal), compileHookSource({ source, filename }), filename);
      }
    } finally {
      await proc.close();
    }
  });

  it('answers the example hooks exactly as the worker thread\'s handlers do', async () => {
    const proc = openCompileProcess(BUILT)!;
    try {
      for (const filename of exampleHooks()) {
        const source = readFileSync(join(HOOKS, filename), 'utf8');
        assert.deepEqual(await proc.run({ source, filename }, 'analyzeHook', AbortSignal.timeout(60_000)), analyzeHook({ source, filename }), filename);
      }
    } finally {
      await proc.close();
    }
  });

  it('a task past its deadline is an AbortError; the tasks queued behind it are answered by a new process', async () => {
    const proc = openCompileProcess(BUILT)!;
    try {
      assert.equal(await proc.ready(), true); // the deadline below is the task's, not the start's
      const lines = Array.from({ length: 4000 }, (_, i) => `const a${i} = [1, 2, 3].map((x) => x * ${i});`);
      const slow = proc.run({ source: `export default () => 1;\n${lines.join('\n')}\n`, filename: 'slow.js' }, 'default', AbortSignal.timeout(1));
      const [filename, source] = SOURCES[0]!;
      const behind = proc.run({ source, filename }, 'analyzeHook', AbortSignal.timeout(60_000));
      await assert.rejects(slow, { name: 'AbortError' });
      assert.deepEqual(await behind, analyzeHook({ source, filename }));
    } finally {
      await proc.close();
    }
  });

  it('starts under a NODE_OPTIONS whose V8 flags differ from the blob\'s (it is not passed on)', async () => {
    const before = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--expose-gc';
    const proc = openCompileProcess(BUILT)!;
    try {
      assert.equal(await proc.ready(), true);
      const [filename, source] = SOURCES[0]!;
      assert.deepEqual(await proc.run({ source, filename }, 'analyzeHook', AbortSignal.timeout(60_000)), analyzeHook({ source, filename }));
    } finally {
      if (before === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = before;
      await proc.close();
    }
  });

  it('is not opened for a blob without its JSON, or built by another Node or with other flags', () => {
    assert.equal(openCompileProcess({ blob: BUILT.blob, meta: join(temp.dir, 'missing.json') }), undefined);
    assert.equal(openCompileProcess(undefined), undefined);
    const other = temp.write('other-node.json', JSON.stringify({ ...currentSnapshotMeta(), node: 'v0.0.1' }));
    assert.equal(openCompileProcess({ blob: BUILT.blob, meta: other }), undefined);
    const flags = temp.write('other-flags.json', JSON.stringify({ ...currentSnapshotMeta(), execArgv: ['--no-opt'] }));
    assert.equal(openCompileProcess({ blob: BUILT.blob, meta: flags }), undefined);
  });

  it('a blob V8 refuses is never ready, and its tasks are refused (the compiler falls back to its thread)', async () => {
    const meta = temp.write('bad.json', JSON.stringify(currentSnapshotMeta()));
    const blob = join(temp.dir, 'bad.blob');
    writeFileSync(blob, 'not a V8 snapshot');
    const proc = openCompileProcess({ blob, meta });
    assert.ok(proc);
    try {
      assert.equal(await proc.ready(), false);
      assert.equal(await proc.ready(), false, 'and is not started again');
      await assert.rejects(proc.run({ source: 'export default 1;', filename: 'a.js' }, 'default', AbortSignal.timeout(60_000)), /cannot start/);
    } finally {
      await proc.close();
    }
  });
});

describe('the compile process\'s environment', () => {
  it('is the parent\'s without NODE_EXTRA_CA_CERTS and NODE_OPTIONS', () => {
    const env = { PATH: '/usr/bin', HOME: '/home/u', NODE_EXTRA_CA_CERTS: '/etc/ssl/bundle.crt', NODE_OPTIONS: '--expose-gc', HOOKD_DATA_DIR: '/d' };
    assert.deepEqual(compileProcessEnv(env), { PATH: '/usr/bin', HOME: '/home/u', HOOKD_DATA_DIR: '/d' });
    assert.equal('NODE_OPTIONS' in env, true, 'the parent\'s own is left as it was');
  });
});
