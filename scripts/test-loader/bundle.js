// One test file and everything it imports from this repository, bundled into one ES module by
// esbuild, cached on disk with the list of its input files (reused while none of them changed).
// Why: a test process that imports the daemon loads ~780 modules (220 of ours, ~500 ES module
// files of typebox, execa and their dependencies), each a round trip to the loader thread and a
// module of its own: about 1.5 s of CPU, against about 0.6 s for the same code as one module.
// What stays as it was: node: built-ins and CommonJS packages are imported from node_modules
// (the copy Node itself would load), and every module keeps its own import.meta.url (written in
// as a string), so paths found from it do not move. A cold bundle costs ~0.3 s of CPU, once.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
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
function plugins(entry) {
  const packageDir = createPackageFinder();
  const typeOf = new Map();
  const isModulePackage = (dir) => {
    if (!typeOf.has(dir)) typeOf.set(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type === 'module');
    return typeOf.get(dir);
  };
  return [{
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
      build.onLoad({ filter: OWN_SOURCE }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const ext = extname(args.path);
        return {
          contents: text.includes('import.meta.url') ? text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)) : text,
          loader: ext === '.ts' || ext === '.mts' ? 'ts' : 'js',
        };
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

/**
 * The bundle of the test file at `path` (its text), from `cacheDir` while its inputs are
 * unchanged. `options` are esbuild's (the ones type stripping uses), `salt` names them.
 */
export async function bundleTestFile(path, { cacheDir, salt, options, loadEsbuild }) {
  const key = createHash('sha256').update(salt).update('\0bundle 3\0').update(path).digest('hex');
  const codeFile = join(cacheDir, `${key}.bundle.js`);
  const inputsFile = join(cacheDir, `${key}.inputs.json`);
  try {
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    if (inputsUnchanged(inputs)) return readFileSync(codeFile, 'utf8');
  } catch {
    // not cached yet
  }
  const esbuild = loadEsbuild();
  const started = Date.now();
  // esbuild's service process ends now, while this process can still reap it.
  const result = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    tsconfigRaw: options.tsconfigRaw,
    // Stack traces point at the sources' lines; the sources themselves are on disk.
    sourcemap: 'inline',
    sourcesContent: false,
    absWorkingDir: dirname(path),
    logLevel: 'silent',
    plugins: plugins(path),
  }).finally(() => esbuild.stop());
  const code = result.outputFiles[0].text;
  const inputs = Object.keys(result.metafile.inputs).map((rel) => {
    const file = join(dirname(path), rel);
    const s = statSync(file);
    return [file, s.mtimeMs, s.size];
  });
  // A file changed while esbuild read it may be in the bundle as it was: no cache this time.
  if (inputs.some(([, mtimeMs]) => mtimeMs >= started - 1000)) return code;
  // Written aside then renamed: a parallel test process never reads half a file. The code
  // first: inputs that say "fresh" always name a bundle of that state or a newer one.
  for (const [file, text] of [[codeFile, code], [inputsFile, JSON.stringify(inputs)]]) {
    const temp = `${file}.${process.pid}`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  }
  return code;
}
