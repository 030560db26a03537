import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createCompiler } from '../../../runtime/index.ts';
import { readFixture } from '../harness.ts';

describe('createCompiler', () => {
  const compiler = createCompiler(DEFAULT_SANDBOX_OPTIONS);
  after(() => compiler.close());

  it('turns a hook into a JSON-able record named by its content hash', async () => {
    const result = await compiler.compile(readFixture('echo.js'), 'hooks/echo.js');
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.match(result.hook.hash, /^[0-9a-f]{64}$/);
    assert.equal(result.hook.filename, 'hooks/echo.js');
    assert.deepEqual(JSON.parse(JSON.stringify(result.hook.record)), result.hook.record);
  });

  it('answers the same source from its cache', async () => {
    const source = 'export default async () => "cached";';
    const first = await compiler.compile(source, 'hooks/cached.js');
    const second = await compiler.compile(source, 'hooks/cached.js');
    assert.equal(second, first);
  });

  it('reports a syntax error with its line and column', async () => {
    const result = await compiler.compile(readFixture('syntax-error.js'), 'hooks/syntax-error.js');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.line, 3);
    assert.equal(result.error.column, 14);
    assert.match(result.error.message, /hooks\/syntax-error\.js/);
  });

  it('accepts JSDoc import() types and other "import(" text in comments (// @ts-check hooks)', async () => {
    const source = [
      '// @ts-check',
      "/** @param {import('../../types/hookd').HookEvent<'media.added'>} event */",
      'export default function (event) { /* import("x") <!-- */ return event.type; }',
      '',
    ].join('\n');
    const result = await compiler.compile(source, 'hooks/typed.js');
    assert.equal(result.ok, true, result.ok ? '' : result.error.message);
  });

  it('points a refusal of text in a string at its line and column, with the way around it', async () => {
    const result = await compiler.compile('export default () => {\n  return "see import(x)";\n};\n', 'hooks/text.js');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.line, 2);
    assert.equal(result.error.column, 15);
    assert.match(result.error.message, /split it: 'imp' \+ 'ort\(' \(SES_IMPORT_REJECTED\)/);
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['a static import', readFixture('imports.js'), /cannot import "node:fs"/],
    ['a re-export', 'export * from "../other.js"; export default () => 1;', /cannot import/],
    ['a dynamic import', 'export default async () => import("node:fs");', /dynamic import\(\) is not available/],
    ['import.meta', 'export default async () => import.meta.url;', /import\.meta is not available/],
    ['no default export', 'export const handler = () => 1;', /needs a default export/],
    ['text SES would refuse to evaluate', 'export default async () => "imp" + "ort(x)" + " <!-- ";', /rejected/],
  ];
  for (const [what, source, message] of refusals) {
    it(`refuses ${what} with a clear compile error`, async () => {
      const result = await compiler.compile(source, 'hooks/refused.js');
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error.message, message);
    });
  }

  it('refuses a source over the size cap without parsing it', async () => {
    const small = createCompiler({ maxSourceBytes: 1024, compileTimeoutMs: 5_000 });
    try {
      const result = await small.compile(`export default () => 1;\n//${'x'.repeat(2048)}`, 'hooks/big.js');
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error.message, /over the 1024-byte limit/);
    } finally {
      await small.close();
    }
  });

  it('gives up on a compilation past its deadline, and does not cache that answer', async () => {
    const hasty = createCompiler({ maxSourceBytes: 1024 * 1024, compileTimeoutMs: 1 });
    try {
      const lines = Array.from({ length: 2000 }, (_, i) => `const a${i} = [1, 2, 3].map((x) => x * ${i});`);
      const source = `export default () => 1;\n${lines.join('\n')}\n`;
      const first = hasty.compile(source, 'hooks/slow.js');
      const answer = await first;
      assert.equal(answer.ok, false);
      if (!answer.ok) assert.match(answer.error.message, /took longer than 1 ms/);
      const second = hasty.compile(source, 'hooks/slow.js');
      assert.notEqual(second, first, 'a timed-out compilation must be tried again, not served from cache');
      await second;
    } finally {
      await hasty.close();
    }
  });

  describe('readConfig (a hook file\'s literal config, read in the compile worker)', () => {
    // readConfig compiles the file from the same parse; compile() answers that afterwards.
    const files: Array<[string, string]> = [
      ['hooks/comments.js', '/** see import(x) */\nexport const config = { mode: "filter" }; // <!-- x\nexport default (e) => ({ patch: { n: 1 } });\n'],
      ['hooks/typed.ts', 'interface E { payload: { n: number } }\nexport const config = { mode: "filter" } as const;\nexport default (e: E): object => ({ patch: { n: e.payload.n! } });\n'],
      ['hooks/enum.ts', 'enum Kind { A }\nexport default () => Kind.A;\n'],
      ['hooks/no-default.js', 'export const config = {};\nexport const x = 1;\n'],
      ['hooks/imports.js', 'import x from "y";\nexport default () => x;\n'],
      ['hooks/refused.js', 'export default () => "see import(x)";\n'],
      ['hooks/decl.d.ts', 'export default function (e) { return 1; }\n'],
    ];
    for (const [filename, source] of files) {
      it(`compiles ${filename} as compile() alone does`, async () => {
        const reading = createCompiler(DEFAULT_SANDBOX_OPTIONS);
        try {
          assert.equal((await reading.readConfig(source, filename)).ok, true);
          assert.deepEqual(await reading.compile(source, filename), await compiler.compile(source, filename));
        } finally {
          await reading.close();
        }
      });
    }

    it('reads literals, including TypeScript satisfies, and nothing else', async () => {
      assert.deepEqual(await compiler.readConfig('export const config = { mode: "filter", priority: -5, events: [`media.*`] };\nexport default () => 1;', 'h.js'), {
        ok: true,
        config: { mode: 'filter', priority: -5, events: ['media.*'] },
      });
      assert.deepEqual(await compiler.readConfig('export const config = { mode: "filter" } satisfies object;\nexport default () => 1;', 'h.ts'), { ok: true, config: { mode: 'filter' } });
      assert.deepEqual(await compiler.readConfig('export default () => 1;', 'h.js'), { ok: true, config: undefined });
      // Parentheses read as their content, wherever they are.
      assert.deepEqual(await compiler.readConfig('export const config = ({ mode: ("filter"), priority: -(5), events: [(`media.*`)] });\nexport default () => 1;', 'h.js'), {
        ok: true,
        config: { mode: 'filter', priority: -5, events: ['media.*'] },
      });
    });

    it('refuses code in the config with its line and column, and never runs it', async () => {
      const read = await compiler.readConfig('const m = "filter";\nexport const config = { mode: m };', 'h.js');
      assert.deepEqual(read, { ok: false, message: 'export const config may hold only literal values (strings, numbers, booleans, null, arrays, objects)', line: 2, column: 31 });
      const inParens = await compiler.readConfig('const m = "filter";\nexport const config = { mode: (m) };', 'h.js');
      assert.deepEqual(inParens, { ok: false, message: 'export const config may hold only literal values (strings, numbers, booleans, null, arrays, objects)', line: 2, column: 32 });
      const proto = await compiler.readConfig('export const config = { __proto__: { x: 1 } };', 'h.js');
      assert.equal(proto.ok, false);
    });

    it('answers a nesting past the stack and a config without a value, without killing the worker', async () => {
      const deep = await compiler.readConfig(`export const config = { a: ${'['.repeat(20_000)}${']'.repeat(20_000)} };`, 'h.js');
      assert.equal(deep.ok, false);
      assert.equal((await compiler.readConfig('export let config;', 'h.js')).ok, false);
      assert.equal((await compiler.readConfig('export const config = { ok: true };', 'h.js')).ok, true);
    });

    it('refuses a source over the size cap unparsed, and gives up past the deadline', async () => {
      const small = createCompiler({ maxSourceBytes: 1024, compileTimeoutMs: 1 });
      try {
        const big = await small.readConfig(`export const config = {};\n//${'x'.repeat(2048)}`, 'h.js');
        assert.deepEqual(big, { ok: false, message: 'hook source is 2076 bytes, over the 1024-byte limit (runtime.maxSourceSize)' });
      } finally {
        await small.close();
      }
      const hasty = createCompiler({ maxSourceBytes: 1024 * 1024, compileTimeoutMs: 1 });
      try {
        const lines = Array.from({ length: 2000 }, (_, i) => `const a${i} = [1, 2, 3].map((x) => x * ${i});`).join('\n');
        const slow = await hasty.readConfig(`export const config = {};\n${lines}`, 'h.js');
        assert.equal(slow.ok, false);
        if (!slow.ok) assert.match(slow.message, /took longer than 1 ms/);
      } finally {
        await hasty.close();
      }
    });
  });
});
