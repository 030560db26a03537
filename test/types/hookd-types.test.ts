// types/hookd.d.ts, the hook authors' types, against what runtime/capabilities really builds:
// each published ctx member and the capability the runtime makes for it must be assignable
// both ways, and the two must name the same members. The assertions below are types, so
// `npm run typecheck` fails on drift; the suite runs the compiler on this file so that `npm test`
// does too, and shows the same check refusing a drifted type.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type * as Published from '../../types/hookd.ts';
import type { HookCapabilities, HookContext as BuiltContext, HookSignal as BuiltSignal } from '../../runtime/capabilities/ctx.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

/** true when A and B are assignable to each other (a published type may be more precise in its words, not in what it allows). */
export type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only when T is true. */
export type Assert<T extends true> = T;

type Core = { log: BuiltContext['log']; hook: BuiltContext['hook']; signal: BuiltSignal };
type Built = Core & HookCapabilities;
type PublishedMembers = { [K in keyof Published.HookContext]-?: NonNullable<Published.HookContext[K]> };

export type Checks = [
  // The same members: a capability added or removed on one side only fails here.
  Assert<Agree<keyof PublishedMembers, keyof Built>>,
  Assert<Agree<PublishedMembers['log'], Built['log']>>,
  Assert<Agree<PublishedMembers['hook'], Built['hook']>>,
  Assert<Agree<PublishedMembers['signal'], Built['signal']>>,
  Assert<Agree<PublishedMembers['progress'], Built['progress']>>,
  Assert<Agree<PublishedMembers['emit'], Built['emit']>>,
  Assert<Agree<PublishedMembers['fetch'], Built['fetch']>>,
  Assert<Agree<PublishedMembers['env'], Built['env']>>,
  Assert<Agree<PublishedMembers['apps'], Built['apps']>>,
];

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function tsc(files: string[]) {
  const args = [TSC, '--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
    '--allowImportingTsExtensions', '--skipLibCheck', '--types', 'node,ses', '--lib', 'ES2023', ...files];
  return spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
}

describe('types/hookd.d.ts agrees with runtime/capabilities', () => {
  const temp = makeTempDir();
  after(() => temp.remove());

  it('type-checks this file\'s assertions', () => {
    const r = tsc([join(REPO, 'test/types/hookd-types.test.ts'), join(REPO, 'types/hookd-globals.d.ts')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('refuses a published capability that drifted from the built one', () => {
    const file = join(temp.dir, 'drift.ts');
    writeFileSync(file, [
      `import type { Agree, Assert } from ${JSON.stringify(join(REPO, 'test/types/hookd-types.test.ts'))};`,
      `import type { HookCapabilities } from ${JSON.stringify(join(REPO, 'runtime/capabilities/ctx.ts'))};`,
      '// ctx.env as if the published type said values may be numbers',
      "export type Drift = Assert<Agree<Readonly<Record<string, string | number>>, HookCapabilities['env']>>;",
      '',
    ].join('\n'));
    const r = tsc([file, join(REPO, 'types/hookd-globals.d.ts')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /drift\.ts\(4,\d+\): error TS2344/);
  });
});
