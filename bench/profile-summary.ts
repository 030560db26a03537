// Sums a V8 .cpuprofile (`node --cpu-prof`) by self time: per module (an npm package, a node:
// internal area, one of hookd's files or chunks) and per function, as shares of the busy
// (non-idle) time. Finds where a bench's CPU goes without an inspector:
//   node --cpu-prof --cpu-prof-dir /tmp/prof dist/lib/cli.js serve --config …   (under load)
//   npx tsx bench/profile-summary.ts /tmp/prof/CPU.….cpuprofile [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** An npm package by name, node's own code by area, anything else by its path. */
function moduleOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'native'})`;
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const [scope, name] = path.slice(inModules + 'node_modules/'.length).split('/');
    return `npm:${scope!.startsWith('@') ? `${scope}/${name}` : scope}`;
  }
  if (path.startsWith('node:')) return path.split('/')[0]!;
  return path.replace(`${process.cwd()}/`, '');
}

const [file, top = '40'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const selfTime = new Map<number, number>();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const byModule = new Map<string, number>();
const byFunction = new Map<string, number>();
let busy = 0;
for (const node of profile.nodes) {
  const us = selfTime.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)' || us === 0) continue;
  busy += us;
  const module = moduleOf(url, functionName);
  byModule.set(module, (byModule.get(module) ?? 0) + us);
  const fn = `${functionName || '(anonymous)'} ${module}:${lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
}

const print = (title: string, totals: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
  }
};
console.log(`busy (non-idle) ${(busy / 1000).toFixed(0)} ms`);
print('self time by module', byModule);
print('self time by function', byFunction);
