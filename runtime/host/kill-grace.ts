// How long past its deadline a hook that ignores ctx.signal keeps its thread. The host's pools
// kill it then; the daemon's sandbox client waits this long (and more) for the host's answer.
// A module of its own so that the daemon reads it without loading piscina (about 25 ms of CPU
// in every CLI run that builds a compiler or sandbox).

// The worker aborts ctx.signal at the deadline; a hook that ignores it (`while (true) {}`)
// loses its thread this much later. The grace lets a cooperative hook stop without costing a
// worker restart.
export const KILL_GRACE_MS = 100;
