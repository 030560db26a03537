// One test file and everything it imports from this repository, bundled into one ES module by
// esbuild, cached on disk with the list of its input files (reused while none of them changed).
// Why: a test process that imports the daemon loads ~780 modules (220 of ours, ~500 ES module
// files of typebox, execa and their dependencies), each a round trip to the loader thread and a
// module of its own: about 1.5 s of CPU, against about 0.6 s for the same code as one module.
// What stays as it was: node: built-ins and CommonJS packages are imported from node_modules
// (the copy Node itself would load), and every module keeps its own import.meta.url (written in
// as a string), so paths found from it do not move. Cold, one file alone costs ~0.3 s of CPU;
// npm test bundles all missing ones in one build first (~0.1 s each: shared modules parsed once).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const OWN_SOURCE = /\.(m?ts|m?js)$/;

/** The directory of package `name` as Node finds it from `dir` (node_modules upwards), or undefined. */
function createPackageFinder() {
  const found = new Map();
  return function packageDir(name, dir) {
    const key = `${name}\0${dir}`;
    if (!found.has(key)) {
      const here = join(dir, 'node_modules', name);
      found.set(key, existsSync(join(here, 'package.json')) ? here : dirname(dir) === dir ? undefined : packageDir(name, dirname(dir)));
    }
    return found.get(key);
  };
}

// esbuild plugins: CommonJS packages external, import.meta.url a string per module. A package is
// bundled when it is all ES modules ("type": "module"); any other stays external and Node loads
// it as it would have, from the copy the importing module resolves to. Decided by name, without
// esbuild resolving each import a second time (that round trip was most of a cold bundle's CPU).
function plugins(entry, esbuild, transformOptions, extraPlugins) {
  const packageDir = createPackageFinder();
  const typeOf = new Map();
  const isModulePackage = (dir) => {
    if (!typeOf.has(dir)) typeOf.set(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type === 'module');
    return typeOf.get(dir);
  };
  // The extra plugins first: esbuild takes the first onLoad that answers, and ours answers all.
  return [...extraPlugins, {
    name: 'hookd-test-bundle',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'resolving' || args.path.startsWith('node:')) return undefined;
        const parts = args.path.split('/');
        const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        const dir = packageDir(name, args.resolveDir);
        if (dir === undefined || isModulePackage(dir)) return undefined; // esbuild bundles it (or reports it missing)
        // The bare name resolves to the same copy from the test file: leave it to Node.
        if (dir === packageDir(name, dirname(entry))) return { path: args.path, external: true };
        const nested = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
        return nested.errors.length > 0 ? { errors: nested.errors } : { path: nested.path, external: true };
      });
      // Through esbuild's define, not a text replace: import.meta.url inside a string (a hook's
      // source in a test) stays as written. Its inline source map keeps stack traces on the file.
      build.onLoad({ filter: OWN_SOURCE }, async (args) => {
        const text = readFileSync(args.path, 'utf8');
        const loader = /\.m?ts$/.test(args.path) ? 'ts' : 'js';
        if (!text.includes('import.meta.url')) return { contents: text, loader };
        const { code } = await esbuild.transform(text, {
          ...transformOptions,
          loader,
          sourcefile: args.path,
          sourcemap: 'inline',
          define: { 'import.meta.url': JSON.stringify(pathToFileURL(args.path).href) },
        });
        return { contents: code, loader: 'js' };
      });
    },
  }];
}

function inputsUnchanged(inputs) {
  try {
    return inputs.every(([path, mtimeMs, size]) => {
      const s = statSync(path);
      return s.mtimeMs === mtimeMs && s.size === size;
    });
  } catch {
    return false;
  }
}

function cacheFiles(path, { cacheDir, salt }) {
  const key = createHash('sha256').update(salt).update('\0bundle 7\0').update(path).digest('hex');
  return { codeFile: join(cacheDir, `${key}.bundle.js`), inputsFile: join(cacheDir, `${key}.inputs.json`) };
}

function readCached(path, cache) {
  const { codeFile, inputsFile } = cacheFiles(path, cache);
  try {
    if (inputsUnchanged(JSON.parse(readFileSync(inputsFile, 'utf8')))) return readFileSync(codeFile, 'utf8');
  } catch {
    // not cached yet
  }
  return undefined;
}

/**
 * Bundles the test files at `paths` (absolute, of one tree) that have no fresh bundle in
 * `cache.cacheDir`, in one esbuild build (each module parsed once for all of them), and caches
 * them; answers each bundle's text by path. `options` are esbuild's (the ones type stripping
 * uses), `cache.salt` names them and the `extraPlugins` (more esbuild plugins).
 */
export async function bundleTestFiles(paths, { options, loadEsbuild, extraPlugins = [], ...cache }) {
  const bundles = new Map();
  for (const path of paths) {
    const code = readCached(path, cache);
    if (code !== undefined) bundles.set(path, code);
  }
  const stale = paths.filter((path) => !bundles.has(path));
  if (stale.length === 0) return bundles;
  const root = commonDir(stale);
  const esbuild = loadEsbuild();
  const started = Date.now();
  const result = await esbuild.build({
    entryPoints: stale,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    tsconfigRaw: options.tsconfigRaw,
    // Each bundle "beside" its test file (never written): the source map's paths are then
    // relative to the test file's URL, where the bundle runs, and stack traces point at the sources.
    absWorkingDir: root,
    outdir: root,
    outbase: root,
    entryNames: '[dir]/[name]',
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
    plugins: plugins(stale[0], esbuild, { format: 'esm', target: options.target, tsconfigRaw: options.tsconfigRaw }, extraPlugins),
    // esbuild's service process ends now, while this process can still reap it.
  }).finally(() => esbuild.stop());
  const texts = new Map(result.outputFiles.map((file) => [file.path, file.text]));
  for (const [output, { entryPoint, inputs }] of Object.entries(result.metafile.outputs)) {
    if (entryPoint === undefined) continue;
    const path = join(root, entryPoint);
    const code = texts.get(join(root, output));
    bundles.set(path, code);
    const stats = Object.keys(inputs).map((rel) => {
      const file = join(root, rel);
      const s = statSync(file);
      return [file, s.mtimeMs, s.size];
    });
    // A file changed while esbuild read it may be in the bundle as it was: not cached this time.
    if (stats.some(([, mtimeMs]) => mtimeMs >= started - 1000)) continue;
    // Written aside then renamed: a parallel test process never reads half a file. The code
    // first: inputs that say "fresh" always name a bundle of that state or a newer one.
    const { codeFile, inputsFile } = cacheFiles(path, cache);
    for (const [file, text] of [[codeFile, code], [inputsFile, JSON.stringify(stats)]]) {
      const temp = `${file}.${process.pid}`;
      writeFileSync(temp, text);
      renameSync(temp, file);
    }
  }
  return bundles;
}

/** The bundle of one test file (see bundleTestFiles). */
export async function bundleTestFile(path, context) {
  return readCached(path, context) ?? (await bundleTestFiles([path], context)).get(path);
}

function commonDir(paths) {
  let dir = dirname(paths[0]);
  while (!paths.every((p) => p.startsWith(`${dir}/`))) dir = dirname(dir);
  return dir;
}
