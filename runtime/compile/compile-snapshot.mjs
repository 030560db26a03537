// The compile worker's handlers as a V8 startup snapshot's program: scripts/build.js bundles this
// file (Babel included) and runs it with `--build-snapshot` into dist/runtime/compile/compile.blob.
// A process started from that blob has Babel loaded and its code compiled, and answers the same
// tasks as the worker thread over its IPC channel (runtime/client/compile-process.ts).
// Side effects: while the snapshot is built, it compiles the sample hooks below (their code is
// kept in the blob); once started from it, it listens on the IPC channel.
import v8 from 'node:v8';
import compileHookSource, { analyzeHook, warmUp } from './compile-worker.mjs';

const HANDLERS = { default: compileHookSource, analyzeHook, warmUp };

// What hooks are made of (async functions, destructuring, template literals, optional chaining,
// classes, a config literal, TypeScript types) and each kind of refusal, so the code that
// parses, transforms and reports them is compiled before the snapshot is taken. Not the example
// hooks: the point is any user's first check.
const SAMPLES = [
  ['sample.js', `export const config = { mode: 'filter', events: ['media.*'], priority: 10, permissions: { net: ['example.com'] } };
const seen = new Map();
class Counter { #n = 0; add(by = 1) { this.#n += by; return this.#n; } }
export default async function (event, ctx) {
  const { title = '', tags = [], ids: { tmdb } = {} } = event.payload ?? {};
  const counter = new Counter();
  for (const tag of tags) if (/anime/i.test(tag)) counter.add();
  const res = await ctx.fetch?.(\`https://example.com/\${encodeURIComponent(title)}?id=\${tmdb ?? 0}\`, { method: 'POST', body: JSON.stringify({ title }) });
  seen.set(event.id, res?.status ?? null);
  try { ctx.log.info(\`\${title}: \${counter.add(0)} tags\`, [...seen.keys()].length); } catch (err) { throw new Error(String(err)); }
  return { ...event.payload, title: title.trim().replace(/\\s+/g, ' '), tags: tags.filter((t) => t !== 'x').map((t) => t.toLowerCase()), n: 1e3 | 0 };
}
`],
  ['sample.ts', `interface Payload { title?: string; tags: string[]; size: number }
type Mode = 'filter' | 'action';
export const config = { mode: 'filter' as Mode, events: ['media.imported'] } satisfies { mode: Mode; events: string[] };
export default async function (event: { payload: Payload }, ctx: any): Promise<Payload> {
  const tags = event.payload.tags as string[];
  const size: number = event.payload.size!;
  return { ...event.payload, title: event.payload.title?.trim() ?? '', tags: tags.map((t: string): string => t), size };
}
`],
  ['sample-ok.ts', `type T = { a: number };\nexport default (event: { payload: T }): T => ({ a: event.payload.a + 1 });\n`],
  ['enum.ts', 'enum Kind { A }\nexport default () => Kind.A;\n'],
  ['syntax.js', 'export default (event) => {\n  return event.payload.;\n};\n'],
  ['import.js', "import x from 'node:fs';\nexport default () => x;\n"],
  ['no-default.js', 'export const a = 1;\n'],
  ['refused.js', "export default () => 'import(';\n"],
  ['config.js', 'export const config = { mode: globalThis.x };\nexport default () => 1;\n'],
];

if (v8.startupSnapshot.isBuildingSnapshot()) {
  // A few rounds: V8 compiles a function's bytecode on its first call, and the blob keeps it.
  for (let round = 0; round < 3; round += 1) {
    for (const [filename, source] of SAMPLES) {
      analyzeHook({ source, filename });
      compileHookSource({ source, filename });
    }
  }
  v8.startupSnapshot.setDeserializeMainFunction(serve);
}

/** Answers `{ id, name, task }` with `{ id, ok: true, value }` or `{ id, ok: false, message }`, in order. */
function serve() {
  process.on('message', ({ id, name, task }) => {
    let reply;
    try {
      const handler = HANDLERS[name];
      if (!handler) throw new Error(`no compile task named ${name}`);
      reply = { id, ok: true, value: handler(task) };
    } catch (err) {
      reply = { id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    process.send(reply);
  });
  // The parent is gone (or done with us): nothing else keeps this process.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}
