// The execArgv that lets a worker thread or child process load our .ts files: tsx's loader,
// resolved to an absolute path so it works from any cwd and whether or not we were started by
// the tsx CLI (which injects it) or by `node --import tsx`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Absolute path of tsx's ESM loader (what bin/hookd.js passes to --import). */
export const TSX_LOADER: string = require.resolve('tsx');

/** `--import <tsx>` only: the parent's other flags (heap sizes, inspector) stay with the parent. */
export function tsxExecArgv(): string[] {
  return ['--import', TSX_LOADER];
}
