#!/usr/bin/env node
// `npm run build`: plain JavaScript in dist/, what production runs with no loader. Run by
// `npm install` (prepare). Three parts, each measured in bench/startup.bench.ts:
// - runtime/ compiled by tsc (dist/runtime/): the sandbox host and its SES workers.
// - the CLI bundled by esbuild (dist/lib/cli.js, each verb a chunk in dist/lib/chunks/ loaded
//   when it runs): one file loads the daemon's few hundred modules in about half the time.
//   Packages that find their own files at run time stay in node_modules (see EXTERNAL).
// - the compile worker bundled into one file: it loads Babel (hundreds of small CommonJS
//   files) in every process that compiles hooks.
// The config's validator is generated here by ajv (standalone code, from the same schema and
// options lib/config/validate.ts compiles it with from source) and bundled in its place.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
rmSync(root('dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const { build } = await import('esbuild');
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Bundled CommonJS calls require() (Node built-ins, the external packages): give ES modules one.
  banner: { js: "import { createRequire as __hookdRequire } from 'node:module'; const require = __hookdRequire(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: ['runtime/compile-worker.mjs'],
  outfile: 'dist/runtime/compile-worker.mjs',
  allowOverwrite: true,
  minify: true,
});

// The config's validator as ajv standalone code: the schema and ajv come from the sources.
const generated = root('dist/.generated');
mkdirSync(generated, { recursive: true });
await build({
  ...common,
  stdin: {
    contents: "export { CONFIG_SCHEMA } from './lib/config/schema.ts'; export { createUsersAjv } from './lib/json-schema.ts';",
    resolveDir: root('.'),
    loader: 'ts',
  },
  packages: 'external',
  outfile: `${generated}/config-schema.mjs`,
});
const { CONFIG_SCHEMA, createUsersAjv } = await import(pathToFileURL(`${generated}/config-schema.mjs`).href);
const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
const ajv = createUsersAjv({ source: true });
writeFileSync(`${generated}/config-validator.mjs`, standaloneCode(ajv, ajv.compile(CONFIG_SCHEMA)));

// Packages that must stay files in node_modules: knex's dialects for other databases (absent),
// the native sqlite3 binding, pino's transports and piscina, which start worker threads from
// their own files.
const EXTERNAL = [
  'sqlite3', 'better-sqlite3', 'pg', 'pg-native', 'pg-query-stream', 'mysql', 'mysql2', 'mariadb', 'oracledb', 'tedious',
  'pino', 'pino-pretty', 'thread-stream', 'piscina',
];
const precompiledConfigValidator = {
  name: 'precompiled-config-validator',
  setup(b) {
    b.onLoad({ filter: /[\\/]lib[\\/]config[\\/]validate\.ts$/ }, () => ({
      contents: [
        `import { validatorFrom } from ${JSON.stringify(root('lib/json-schema.ts'))};`,
        `import validate from ${JSON.stringify(`${generated}/config-validator.mjs`)};`,
        'export const validateConfigShape = validatorFrom(validate);',
      ].join('\n'),
      loader: 'ts',
      resolveDir: root('lib/config'),
    }));
  },
};
await build({
  ...common,
  entryPoints: ['lib/cli.ts'],
  outdir: 'dist/lib',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  external: EXTERNAL,
  plugins: [precompiledConfigValidator],
});
rmSync(generated, { recursive: true, force: true });

// What `npm test` compares source times with (scripts/run-tests.js).
writeFileSync(root('dist/.build-stamp'), `${new Date().toISOString()}\n`);
