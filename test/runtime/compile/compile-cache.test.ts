// Compiled hook files kept across processes (runtime/client/compile-cache.ts): entries name what
// they hold, anything else is a miss, the directory stays bounded; and a compiler with a cacheDir
// answers a later process's readConfig and compile from it, with the same answers as a compile.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCompileCache } from '../../../runtime/client/compile-cache.ts';
import { COMPILE_WORKER_BUNDLED } from '../../../runtime/client/entry-points.ts';
import { createCompiler } from '../../../runtime/index.ts';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

const HOOK = { config: { mode: 'filter' }, record: { imports: [], exports: ['default'], __syncModuleProgram__: '(function () {})' } };

function entries(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.json'));
}

describe('createCompileCache', () => {
  it('answers an entry for the same build, file name and source hash, and nothing else', async () => {
    const dir = join(temp.dir, 'keys');
    const cache = createCompileCache({ dir, build: 'b1' });
    await cache.set('h1', 'a.js', HOOK);
    assert.deepEqual(await cache.get('h1', 'a.js'), HOOK);
    assert.equal(await cache.get('h2', 'a.js'), undefined);
    assert.equal(await cache.get('h1', 'b.js'), undefined);
    assert.equal(await createCompileCache({ dir, build: 'b2' }).get('h1', 'a.js'), undefined);
  });

  it('keeps a hook without a config as one without a config', async () => {
    const cache = createCompileCache({ dir: join(temp.dir, 'no-config'), build: 'b1' });
    await cache.set('h1', 'a.js', { ...HOOK, config: undefined });
    assert.deepEqual(await cache.get('h1', 'a.js'), { ...HOOK, config: undefined });
  });

  it('takes a truncated, corrupt or misplaced entry for a miss', async () => {
    const dir = join(temp.dir, 'corrupt');
    const cache = createCompileCache({ dir, build: 'b1' });
    await cache.set('h1', 'a.js', HOOK);
    const [name] = entries(dir);
    const file = join(dir, name!);
    const text = readFileSync(file, 'utf8');
    for (const damaged of [text.slice(0, text.length / 2), 'null', '[]', text.replace('"__syncModuleProgram__":"(function () {})"', '"__syncModuleProgram__":1'), text.replace('"a.js"', '"b.js"')]) {
      writeFileSync(file, damaged);
      assert.equal(await cache.get('h1', 'a.js'), undefined, damaged);
    }
    await cache.set('h1', 'a.js', HOOK);
    assert.deepEqual(await cache.get('h1', 'a.js'), HOOK, 'a write replaces the damaged entry');
  });

  it('prunes to the most recently used entries', async () => {
    const dir = join(temp.dir, 'bounded');
    const fill = createCompileCache({ dir, build: 'b1', maxEntries: 3 });
    // One prune per process and then one per hundred writes: the first write of the next cache prunes.
    for (let i = 0; i < 5; i++) {
      await fill.set(`h${i}`, 'a.js', HOOK);
      const past = new Date(Date.now() - (10 - i) * 60_000);
      for (const name of entries(dir)) if (readFileSync(join(dir, name), 'utf8').includes(`"h${i}"`)) utimesSync(join(dir, name), past, past);
    }
    await fill.get('h0', 'a.js'); // used now: the newest
    await createCompileCache({ dir, build: 'b1', maxEntries: 3 }).set('h5', 'a.js', HOOK);
    const cache = createCompileCache({ dir, build: 'b1' });
    const kept = [];
    for (let i = 0; i <= 5; i++) if (await cache.get(`h${i}`, 'a.js')) kept.push(`h${i}`);
    assert.deepEqual(kept, ['h0', 'h4', 'h5']);
    assert.equal(entries(dir).length, 3);
  });
});

describe('a compiler with a cache directory', { skip: COMPILE_WORKER_BUNDLED ? false : 'needs the build\'s compile worker (HOOKD_RUNTIME=dist, as npm test sets it)' }, () => {
  const dir = join(temp.dir, 'compiler');
  const options = { ...DEFAULT_SANDBOX_OPTIONS, cacheDir: dir };
  const source = '// a hook\nexport const config = { mode: "filter" };\nexport default (event) => ({ patch: { seen: true } });\n';

  it('keeps a hook file that compiles, and a later compiler answers it from there', async () => {
    const first = createCompiler(options);
    const fresh = createCompiler(DEFAULT_SANDBOX_OPTIONS);
    try {
      assert.deepEqual(await first.readConfig(source, 'media.added/10-a.js'), { ok: true, config: { mode: 'filter' } });
      assert.deepEqual(await first.compile(source, 'media.added/10-a.js'), await fresh.compile(source, 'media.added/10-a.js'));
    } finally {
      await first.close();
      await fresh.close();
    }
    const [name] = entries(dir);
    // What the entry says is what a later compiler answers: it was read, not compiled again.
    const entry = JSON.parse(readFileSync(join(dir, name!), 'utf8'));
    writeFileSync(join(dir, name!), JSON.stringify({ ...entry, config: { mode: 'filter', from: 'the cache' } }));
    const later = createCompiler(options);
    try {
      assert.deepEqual(await later.readConfig(source, 'media.added/10-a.js'), { ok: true, config: { mode: 'filter', from: 'the cache' } });
      const compiled = await later.compile(source, 'media.added/10-a.js');
      assert.equal(compiled.ok, true);
      if (compiled.ok) assert.deepEqual(compiled.hook.record, entry.record);
    } finally {
      await later.close();
    }
  });

  it('keeps no hook that fails: each error comes from a compile', async () => {
    const errorsDir = join(temp.dir, 'errors');
    const compiler = createCompiler({ ...options, cacheDir: errorsDir });
    try {
      assert.equal((await compiler.readConfig('export default () => {', 'a.js')).ok, false);
      assert.equal((await compiler.readConfig('export const config = { mode: "filter" };\nexport const x = 1;', 'b.js')).ok, true);
      assert.equal((await compiler.compile('export const config = { mode: "filter" };\nexport const x = 1;', 'b.js')).ok, false);
    } finally {
      await compiler.close();
    }
    assert.equal(existsSync(errorsDir), false);
  });
});
