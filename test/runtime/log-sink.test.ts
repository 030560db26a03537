import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapHookStack } from '../../runtime/hook-errors.ts';
import { createLogSink, formatLogValue } from '../../runtime/log-sink.ts';

describe('formatLogValue', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const cases: Array<[string, unknown, string]> = [
    ['a string as is', 'hello', 'hello'],
    ['a bigint with its suffix', 12n, '12n'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['a named function', function named() {}, '[Function named]'],
    ['an error as name and message', new RangeError('r'), 'RangeError: r'],
    ['a cycle', cyclic, '{"a":1,"self":"[Circular]"}'],
    ['nested values', { n: [1, 2n, undefined] }, '{"n":[1,"2n","[undefined]"]}'],
    ['an inspect.custom object as data, never through inspect', { [Symbol.for('nodejs.util.inspect.custom')]: () => 'X', v: 1 }, '{"v":1}'],
    ['a throwing getter as a marker', { get bad() { throw new Error('no'); } }, '[unformattable]'],
    ['a huge object as a marker', Array.from({ length: 10_000 }, (_, i) => i), '[object too large to log]'],
  ];
  for (const [what, value, expected] of cases) {
    it(`formats ${what}`, () => assert.equal(formatLogValue(value), expected));
  }
});

describe('createLogSink', () => {
  it('keeps lines until the byte cap, then truncates and drops the rest', () => {
    const sink = createLogSink(20);
    sink.write('info', ['0123456789']);
    sink.write('warn', ['abcdefghijklmnop']);
    sink.write('error', ['dropped']);
    assert.deepEqual(sink.lines.map((l) => [l.level, l.message]), [['info', '0123456789'], ['warn', 'abcdefghij']]);
    assert.equal(sink.truncated, true);
  });
});

describe('mapHookStack', () => {
  it('keeps only the hook\'s frames, in the author\'s file name, without the module preamble on line 1', () => {
    const raw = [
      '',
      '  at inner (eval at makeEvaluate (file:///srv/node_modules/ses/src/make-evaluate.js:92:27), hooks_a.js:7:3)',
      '  at default (hooks_a.js:1:150)',
      '  at runHookCall (file:///srv/runtime/worker.ts:80:20)',
    ].join('\n');
    const mapped = mapHookStack(raw, { sourceUrl: 'hooks_a.js', filename: 'hooks a.js', lineOneOffset: 100 });
    assert.deepEqual(mapped.frames, ['    at inner (hooks a.js:7:3)', '    at default (hooks a.js:1:50)']);
    assert.equal(mapped.line, 7);
    assert.equal(mapped.column, 3);
  });
});
