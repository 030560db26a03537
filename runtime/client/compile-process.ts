// Compile tasks in a child process started from the build's V8 startup snapshot of the compile
// worker (compile/compile-snapshot.mjs, built into compile.blob by scripts/build.js): Babel is
// already loaded and its code compiled there, so a short-lived CLI run (`hookd check`) skips
// most of Babel's cold start. Same handlers, same answers as the worker thread (compile.ts).
// Unavailable (no blob, a blob built by another Node or with other flags, a process that exits
// before it is ready): the caller compiles in the worker thread instead. Side effect: one child
// process, started at the first task, stopped by close().
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { SNAPSHOT_EXEC_ARGV } from './compile-limits.ts';
import { COMPILE_SNAPSHOT } from './entry-points.ts';

/** What a blob was built with, written beside it (compile.blob.json): one that differs here is stale. */
export interface SnapshotMeta {
  node: string;
  arch: string;
  execArgv: readonly string[];
}

export function currentSnapshotMeta(): SnapshotMeta {
  return { node: process.version, arch: process.arch, execArgv: SNAPSHOT_EXEC_ARGV };
}

export interface CompileProcess {
  /** Starts the process if it is not running; false when it cannot run here (use the worker thread). */
  ready(): Promise<boolean>;
  /** One task, answered in order; rejects with an AbortError when `signal` fires first. */
  run(task: unknown, name: string, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

interface Pending {
  id: number;
  name: string;
  task: unknown;
  resolve(value: unknown): void;
  reject(err: Error): void;
  forget(): void;
}

type Reply = { ready: true } | { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

function abortError(): Error {
  return Object.assign(new Error('The task has been aborted'), { name: 'AbortError' });
}

/**
 * The compile process parses text: it opens no connection and reads no file or variable. It
 * starts without what would slow its start or refuse its blob: NODE_EXTRA_CA_CERTS (Node parses
 * the whole bundle at every start, about 50 ms of a first check's critical path) and NODE_OPTIONS
 * (flags other than the blob's make V8 refuse it).
 */
export function compileProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _certs, NODE_OPTIONS: _options, ...rest } = env;
  return rest;
}

/** The build's snapshot process, not started yet (ready() starts it); undefined when the build has none usable here. */
export function openBuildCompileProcess(): CompileProcess | undefined {
  return openCompileProcess(COMPILE_SNAPSHOT);
}

/** The snapshot's process, or undefined when there is no usable blob for this Node (none from the source tree). */
export function openCompileProcess(snapshot: typeof COMPILE_SNAPSHOT): CompileProcess | undefined {
  if (!snapshot) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(snapshot.meta, 'utf8'));
  } catch {
    return undefined; // no blob (a build without one, or removed)
  }
  return isDeepStrictEqual(meta, currentSnapshotMeta()) ? createCompileProcess(snapshot.blob) : undefined;
}

function createCompileProcess(blob: string): CompileProcess {
  let child: ChildProcess | undefined;
  let starting: Promise<boolean> | undefined;
  // False once a process ended before it was ready: this blob does not run here.
  let usable = true;
  let nextId = 0;
  // In the order sent: the process answers in order, so the first is the one it is running.
  const pending = new Map<number, Pending>();

  function send(p: Pending): void {
    child?.send({ id: p.id, name: p.name, task: p.task });
  }

  function start(): Promise<boolean> {
    if (!usable) return Promise.resolve(false);
    starting ??= new Promise<boolean>((resolve) => {
      const proc = spawn(process.execPath, [...SNAPSHOT_EXEC_ARGV, '--snapshot-blob', blob], {
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
        env: compileProcessEnv(process.env),
        // Structured clone, as between the worker thread and compile.ts: the same values arrive.
        serialization: 'advanced',
      });
      child = proc;
      let ready = false;
      proc.on('message', (reply: Reply) => {
        if ('ready' in reply) {
          ready = true;
          resolve(true);
          return;
        }
        const p = pending.get(reply.id);
        if (!p) return; // a task given up on (its deadline passed while it waited)
        pending.delete(reply.id);
        p.forget();
        if (reply.ok) p.resolve(reply.value);
        else p.reject(new Error(reply.message));
      });
      let ended = false;
      const end = (how: string) => {
        if (ended) return;
        ended = true;
        if (!ready) resolve(false);
        if (child !== proc) return; // replaced on purpose (restart, close): its tasks went to the next one
        child = undefined;
        starting = undefined;
        if (!ready) {
          usable = false; // e.g. a blob of another build of Node: V8 refuses it and exits 14
          return;
        }
        // A crash (out of memory): it was running the oldest task; the others are sent again.
        const first = pending.values().next().value;
        if (first) {
          pending.delete(first.id);
          first.forget();
          first.reject(new Error(`the compile process exited (${how})`));
        }
        resendPending();
      };
      proc.on('error', (err) => end(err.message));
      proc.on('exit', (code, signal) => end(signal ?? `code ${code}`));
    });
    return starting;
  }

  function resendPending(): void {
    if (pending.size === 0) return;
    void start().then((ok) => {
      for (const p of pending.values()) {
        if (ok) {
          send(p);
        } else {
          pending.delete(p.id);
          p.forget();
          p.reject(new Error('the compile process cannot start'));
        }
      }
    });
  }

  /** Kills the process (a task ran past its deadline); the tasks behind it go to a new one. */
  function restart(): void {
    const proc = child;
    child = undefined;
    starting = undefined;
    proc?.kill('SIGKILL');
    resendPending();
  }

  return {
    ready: start,
    async run(task, name, signal) {
      if (!(await start())) throw new Error('the compile process cannot start');
      if (signal.aborted) throw abortError();
      return new Promise((resolve, reject) => {
        const id = nextId++;
        const onAbort = () => {
          const running = pending.keys().next().value === id;
          pending.delete(id);
          reject(abortError());
          if (running) restart();
        };
        const p: Pending = { id, name, task, resolve, reject, forget: () => signal.removeEventListener('abort', onAbort) };
        signal.addEventListener('abort', onAbort, { once: true });
        pending.set(id, p);
        send(p);
      });
    },
    async close() {
      const proc = child;
      child = undefined;
      starting = undefined;
      usable = false;
      for (const p of pending.values()) {
        p.forget();
        p.reject(new Error('the compiler was closed'));
      }
      pending.clear();
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill();
      await exited;
    },
  };
}
