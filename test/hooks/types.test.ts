// types/hookd.d.ts: the example hooks type-check against it (`tsc -p hooks`), and it catches
// a hook author's mistakes in // @ts-check JavaScript and in TypeScript.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { REPO } from './example-runner.ts';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function tsc(project: string) {
  return spawnSync(process.execPath, [TSC, '-p', project], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
}

describe('types/hookd.d.ts', () => {
  const temp = makeTempDir();
  after(() => temp.remove());

  it('type-checks every example hook (tsc -p hooks)', () => {
    const r = tsc('hooks');
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('reports a misspelt payload field, a wrong filter result and a ctx API that does not exist', () => {
    const types = join(REPO, 'types');
    writeFileSync(join(temp.dir, 'bad.js'), [
      '// @ts-check',
      '/**',
      ` * @param {import('${types}/hookd').HookEvent<'media.added'>} event`,
      ` * @param {import('${types}/hookd').HookContext} ctx`,
      ' */',
      'export default function (event, ctx) {',
      '  ctx.log.info(event.payload.titel.length);',
      '  ctx.sleep(1);',
      '}',
      '',
    ].join('\n'));
    writeFileSync(join(temp.dir, 'bad-filter.ts'), [
      `import type { FilterHook } from '${types}/hookd.ts';`,
      "const hook: FilterHook<'media.added'> = (event) => ({ patch: { year: 'nineteen' } });",
      'export default hook;',
      '',
    ].join('\n'));
    writeFileSync(join(temp.dir, 'tsconfig.json'), JSON.stringify({
      extends: join(REPO, 'hooks/tsconfig.json'),
      include: ['*.js', '*.ts', join(types, 'hookd.d.ts'), join(types, 'hookd-globals.d.ts')],
    }));
    const r = tsc(temp.dir);
    assert.notEqual(r.status, 0);
    // Payloads may carry fields their schema does not name: a misspelt one is `unknown`, not a string.
    assert.match(r.stdout, /bad\.js\(7,16\): error TS18046: 'event\.payload\.titel' is of type 'unknown'/);
    assert.match(r.stdout, /bad\.js\(8,7\): error TS2339: Property 'sleep' does not exist on type 'HookContext'/);
    assert.match(r.stdout, /bad-filter\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });
});
