// The modules whose ajv compiles the build does ahead of time: lib/config/validate.ts,
// lib/users-meta-schema.ts, lib/dispatch/hook-validators.ts and lib/own-validators.ts, replaced by ajv's standalone code
// that scripts/build.js writes to dist/validators/. One esbuild plugin for the CLI's bundle and for
// the test bundles (scripts/test-loader/bundle.js): a daemon started in a test process then skips
// the same ~0.3 s of compiling at each start that the built daemon skips.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VALIDATORS_DIR = 'dist/validators';

/** The plugin, for the repository at `repoDir` (absolute) with its validators in `dir` (absolute). */
export function precompiledValidators(repoDir, dir) {
  const jsonSchema = JSON.stringify(join(repoDir, 'lib/json-schema.ts'));
  const from = (name) => JSON.stringify(join(dir, name));
  return {
    name: 'precompiled-validators',
    setup(b) {
      // ajv's standalone code requires its runtime parts (ajv/dist/runtime/*), also as an ES
      // module: give it a require of its own, whatever bundle it lands in.
      b.onLoad({ filter: /[\\/]validators[\\/][^\\/]+\.mjs$/ }, (args) => ({
        contents: `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\n${readFileSync(args.path, 'utf8')}`,
        loader: 'js',
      }));
      b.onLoad({ filter: /[\\/]lib[\\/]own-validators\.ts$/ }, () => ({
        contents: `export { PRECOMPILED_OWN } from ${from('own-validators.mjs')};`,
        loader: 'js',
      }));
      b.onLoad({ filter: /[\\/]lib[\\/]config[\\/]validate\.ts$/ }, () => ({
        contents: [
          `import { validatorFrom } from ${jsonSchema};`,
          `import validate from ${from('config-validator.mjs')};`,
          'export const validateConfigShape = validatorFrom(validate);',
        ].join('\n'),
        loader: 'ts',
        resolveDir: join(repoDir, 'lib/config'),
      }));
      b.onLoad({ filter: /[\\/]lib[\\/]users-meta-schema\.ts$/ }, () => ({
        contents: [
          `import validate from ${from('users-meta-validator.mjs')};`,
          // A schema naming another dialect ($schema) is checked by ajv itself, as from source.
          'export function checkUsersSchema(getAjv, schema) {',
          "  if (typeof schema === 'object' && schema !== null && '$schema' in schema) {",
          '    const ajv = getAjv();',
          '    return ajv.validateSchema(schema) ? undefined : ajv.errorsText(ajv.errors);',
          '  }',
          '  return validate(schema) ? undefined : getAjv().errorsText(validate.errors);',
          '}',
        ].join('\n'),
        loader: 'js',
      }));
      b.onLoad({ filter: /[\\/]lib[\\/]dispatch[\\/]hook-validators\.ts$/ }, () => ({
        contents: [
          `import { validatorFrom } from ${jsonSchema};`,
          `import validateNew from ${from('new-hook-validator.mjs')};`,
          `import validateChange from ${from('hook-change-validator.mjs')};`,
          'export const validateNewHook = validatorFrom(validateNew);',
          'export const validateHookChange = validatorFrom(validateChange);',
        ].join('\n'),
        loader: 'ts',
        resolveDir: join(repoDir, 'lib/dispatch'),
      }));
    },
  };
}
