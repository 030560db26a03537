#!/usr/bin/env node
// `npm run build`: the TypeScript of lib/ and runtime/ compiled to dist/ by tsc, then the
// compile worker bundled into one file by esbuild: it loads Babel (hundreds of small CommonJS
// files) in every process that compiles hooks, and one file loads about a third faster
// (bench/startup.bench.ts). Run by `npm install` (prepare).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const { build } = await import('esbuild');
await build({
  entryPoints: ['runtime/compile-worker.mjs'],
  outfile: 'dist/runtime/compile-worker.mjs',
  allowOverwrite: true,
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Babel's CommonJS calls require() for Node built-ins: give the ES module bundle one.
  banner: { js: "import { createRequire as __hookdRequire } from 'node:module'; const require = __hookdRequire(import.meta.url);" },
});

// What `npm test` compares source times with (scripts/run-tests.js).
writeFileSync(new URL('../dist/.build-stamp', import.meta.url), `${new Date().toISOString()}\n`);
