// `node --import ./scripts/test-loader/register.js`: loads the repository's TypeScript (.ts,
// .mts) in test processes with esbuild: a test file as one bundle (hooks.js, bundle.js), other
// files by stripping types. npm test used tsx, whose resolve and load hooks (and require hook) run
// for every module, also node_modules' JavaScript: about 2 s of CPU for each test file that
// imports the daemon, in ~150 test processes. Imports in this tree name their .ts files (tsconfig:
// allowImportingTsExtensions), so Node's own resolver finds them: only loading needs a hook.
// Stack traces point at the .ts lines (source maps). With HOOKD_TEST_TIMES_DIR, a test process
// records its wall and CPU time there at exit (timing.js).
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./hooks.js', import.meta.url);

const timesDir = process.env.HOOKD_TEST_TIMES_DIR;
if (timesDir && process.argv[1]?.endsWith('.test.ts')) {
  const { recordTimesAtExit } = await import('./timing.js');
  recordTimesAtExit(timesDir, process.argv[1]);
}
