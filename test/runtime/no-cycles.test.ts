// The import graph of runtime/ and lib/, read with the TypeScript compiler's own pre-parser
// (static, type-only, re-exports and dynamic import() alike): no module reaches itself again,
// and runtime/ never imports lib/ (the daemon uses the runtime, never the other way round).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE = /\.(ts|mts|mjs|js)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(REPO, join(e.parentPath, e.name)));
}

/** file -> the repository files it imports (relative specifiers only; packages are leaves). */
function importGraph(dirs: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap(sourceFiles)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(REPO, file), 'utf8'), true, true);
    graph.set(file, importedFiles.filter((i) => i.fileName.startsWith('.')).map((i) => relative(REPO, resolve(REPO, dirname(file), i.fileName))));
  }
  return graph;
}

/** Every cycle, each once, as the list of files around it (Tarjan's strongly connected components). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Cycles allowed: none (the last one, lib/config ↔ lib/integrations/catalog.ts, is gone). */
const KNOWN_CYCLES: string[][] = [];

describe('the import graph', () => {
  const graph = importGraph(['runtime', 'lib']);

  it('reads the graph it checks: runtime/worker/worker.ts imports capabilities/ctx.ts', () => {
    assert.ok(graph.get('runtime/worker/worker.ts')?.includes('runtime/capabilities/ctx.ts'));
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const looped = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    assert.deepEqual(cycles(looped), [['a', 'b', 'c']]);
  });

  it('has no cycle in runtime/, and none in lib/ but the one known below', () => {
    assert.deepEqual(cycles(graph), KNOWN_CYCLES);
  });

  it('runtime/ imports nothing from lib/', () => {
    const reaching = [...graph].flatMap(([file, imports]) => (file.startsWith('runtime/') ? imports.filter((i) => !i.startsWith('runtime/')).map((i) => `${file} -> ${i}`) : []));
    assert.deepEqual(reaching, []);
  });
});
