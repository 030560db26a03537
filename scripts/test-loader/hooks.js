// The loader thread's hook for scripts/test-loader/register.js: a test file (*.test.ts) becomes
// one bundle of it and the repository's modules it imports (bundle.js); any other .ts and .mts
// file becomes JavaScript (ES modules) by esbuild's type stripping, with the tsconfig options that
// change what is emitted. Both are cached on disk, so a test process after the first reads them
// instead of transforming again. Everything else is Node's own loading.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIsStale } from '../build-stamp.js';
import { precompiledValidators, VALIDATORS_DIR } from '../precompiled-validators.js';
import { bundleTestFile, bundleTestFiles } from './bundle.js';

const require = createRequire(import.meta.url);
// esbuild itself is loaded only on a cache miss (its module costs ~0.1 s of CPU in each process).
const ESBUILD_MAIN = require.resolve('esbuild');
const { version } = JSON.parse(readFileSync(join(dirname(ESBUILD_MAIN), '..', 'package.json'), 'utf8'));

const TYPESCRIPT = /\.m?ts$/;
const TEST_FILE = /\.test\.ts$/;
// What tsc would emit (tsconfig.json): imports written as values stay (verbatimModuleSyntax).
const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};
const CACHE = join(tmpdir(), `hookd-test-ts-${process.getuid?.() ?? 'user'}`);
const SALT = `${version} ${JSON.stringify(OPTIONS)} 1`;
mkdirSync(CACHE, { recursive: true });

// The build's precompiled validators in place of the modules that compile them (ajv, ~0.3 s of
// CPU at each daemon start in a test process), while dist/ is fresh: the same code the built
// daemon runs. Bundles of either kind are cached apart (salt); a precompiled one records the
// validators as inputs, so a rebuild makes it again.
const REPO = fileURLToPath(new URL('../../', import.meta.url));
let bundling;
function bundlingContext() {
  if (bundling === undefined) {
    const precompiled = existsSync(join(REPO, VALIDATORS_DIR)) && !buildIsStale(REPO);
    bundling = {
      cacheDir: CACHE,
      salt: `${SALT} ${precompiled ? 'precompiled' : 'source'} validators`,
      options: OPTIONS,
      loadEsbuild: () => require(ESBUILD_MAIN),
      extraPlugins: precompiled ? [precompiledValidators(REPO, join(REPO, VALIDATORS_DIR))] : [],
    };
  }
  return bundling;
}

/** Bundles the test files (absolute paths) not bundled yet in one go: scripts/run-tests.js, before the test processes start. */
export async function prepareTestFiles(paths) {
  await bundleTestFiles(paths, bundlingContext());
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !TYPESCRIPT.test(url)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  if (TEST_FILE.test(path)) {
    const code = await bundleTestFile(path, bundlingContext());
    return { format: 'module', source: code, shortCircuit: true };
  }
  const source = readFileSync(path, 'utf8');
  const key = createHash('sha256').update(SALT).update(path).update('\0').update(source).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  let code;
  try {
    code = readFileSync(cached, 'utf8');
  } catch {
    code = require(ESBUILD_MAIN).transformSync(source, { ...OPTIONS, sourcefile: path }).code;
    // Written aside then renamed: a parallel test process never reads half a file.
    const temp = `${cached}.${process.pid}`;
    writeFileSync(temp, code);
    renameSync(temp, cached);
  }
  return { format: 'module', source: code, shortCircuit: true };
}
