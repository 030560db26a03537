// The limits of the processes and threads that compile hooks (compile.ts, compile-process.ts),
// in one place that scripts/build.js also reads: the snapshot's flags are baked into its blob.

// Babel's heap for a 256 KiB source stays far below this; a pathological one dies alone.
export const COMPILE_HEAP_MB = 256;

/**
 * The flags of the compile process started from the build's snapshot, which must be the flags it
 * was built with (V8 refuses a blob made under other ones). No TurboFan (--no-opt): for the few
 * dozen compiles of a CLI run its background work cost more CPU than it saved (a first `hookd
 * check` of 8 hooks: about 0.2 s less CPU in all).
 */
export const SNAPSHOT_EXEC_ARGV: readonly string[] = ['--no-opt', `--max-old-space-size=${COMPILE_HEAP_MB}`];
