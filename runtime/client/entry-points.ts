// Where the sandbox's entry files are, in the one place that knows. Daemon side: the client
// spawns the host and the host's pools start workers from these paths. From the build (plain
// JavaScript, no loader) they are dist/runtime/<place>/*.js, found from the dist/ directory this
// module is in: the CLI is a bundle (scripts/build.js), so this module's own URL may be a bundle
// chunk's (dist/lib/chunks/), not a file beside them. From the source tree (this file is .ts, run
// under tsx in development and tests) they are the .ts files loaded with tsx, unless
// HOOKD_RUNTIME=dist asks for the build's (npm test sets it once dist/ is fresh: a loader costs
// 36 MB and 0.3 s in every host it spawns). Production processes never carry a loader.
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const IN_SOURCE = import.meta.url.endsWith('.ts');
const FROM_SOURCE = IN_SOURCE && process.env.HOOKD_RUNTIME !== 'dist';
const HERE = dirname(fileURLToPath(import.meta.url));
/** runtime/ in the tree that runs: this file is runtime/client/entry-points.ts in the source. */
const RUNTIME = FROM_SOURCE ? join(HERE, '..') : IN_SOURCE ? join(HERE, '..', '..', 'dist', 'runtime') : join(distDir(HERE), 'runtime');
const EXTENSION = FROM_SOURCE ? '.ts' : '.js';

/** The sandbox host process's main module (a path, for spawn). */
export const HOST_ENTRY = join(RUNTIME, 'host', `host${EXTENSION}`);
/** The SES worker thread's module (a URL, for piscina). */
export const WORKER_ENTRY = pathToFileURL(join(RUNTIME, 'worker', `worker${EXTENSION}`)).href;
/** The compile worker: plain JavaScript in both trees (Babel's interop breaks under tsx in a worker); one bundled file in the build. */
export const COMPILE_WORKER_ENTRY = pathToFileURL(join(RUNTIME, 'compile', 'compile-worker.mjs')).href;
/** Whether COMPILE_WORKER_ENTRY is the build's one file holding all the compiler's code (so its digest names the compiler). */
export const COMPILE_WORKER_BUNDLED = !FROM_SOURCE;
/**
 * The compile worker as a V8 startup snapshot (compile/compile-snapshot.mjs) and the JSON that
 * says what it was built with: the build's only (scripts/build.js), none from the source tree.
 */
export const COMPILE_SNAPSHOT = FROM_SOURCE
  ? undefined
  : { blob: join(RUNTIME, 'compile', 'compile.blob'), meta: join(RUNTIME, 'compile', 'compile.blob.json') };

/**
 * The execArgv a child process or worker needs to load the entries above: tsx's loader (an
 * absolute path, so any cwd works) from the source tree, nothing from the build. Only this
 * process's loader is passed on: heap sizes and inspector flags stay with the parent.
 */
export function loaderExecArgv(): string[] {
  return FROM_SOURCE ? ['--import', createRequire(import.meta.url).resolve('tsx')] : [];
}

/** The nearest directory named dist at or above dir (the build's root). */
function distDir(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (basename(d) === 'dist') return d;
    if (dirname(d) === d) throw new Error(`hookd's build: no dist/ directory above ${dir}`);
  }
}
