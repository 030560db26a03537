// Where the sandbox's entry files are, in the one place that knows: from the source tree (this
// file is .ts, run under tsx in development and tests) they are .ts files loaded with tsx; from
// the build (dist/, plain JavaScript) they are .js files loaded by node alone, so production
// processes never carry a loader (36 MB and 0.3 s each, counted against the host's budget).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const EXTENSION = FROM_SOURCE ? '.ts' : '.js';

/** The sandbox host process's main module (a path, for spawn). */
export const HOST_ENTRY = fileURLToPath(new URL(`./host${EXTENSION}`, import.meta.url));
/** The SES worker thread's module (a URL, for piscina). */
export const WORKER_ENTRY = new URL(`./worker${EXTENSION}`, import.meta.url).href;
/** The compile worker: plain JavaScript in both trees (Babel's interop breaks under tsx in a worker). */
export const COMPILE_WORKER_ENTRY = new URL('./compile-worker.mjs', import.meta.url).href;

/**
 * The execArgv a child process or worker needs to load the entries above: tsx's loader (an
 * absolute path, so any cwd works) from the source tree, nothing from the build. Only this
 * process's loader is passed on: heap sizes and inspector flags stay with the parent.
 */
export function loaderExecArgv(): string[] {
  return FROM_SOURCE ? ['--import', createRequire(import.meta.url).resolve('tsx')] : [];
}
