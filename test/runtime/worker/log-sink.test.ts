import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapHookStack } from '../../../runtime/worker/hook-errors.ts';
import { storedLineBytes } from '../../../runtime/worker/log-budget.ts';
import { createLogSink, formatLogValue } from '../../../runtime/worker/log-sink.ts';
import { createRedactor } from '../../../runtime/worker/redact.ts';

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
  const overhead = storedLineBytes({ level: 'info', message: '', at: new Date().toISOString() });

  it('keeps lines until the stored-bytes cap, cuts the one that reaches it, and ends with one marker line', () => {
    const sink = createLogSink({ maxBytes: 2 * overhead + 15, maxLines: 100 });
    sink.write('info', ['0123456789']);
    sink.write('info', ['abcdefghijklmnop']);
    sink.write('error', ['dropped']);
    sink.write('error', ['dropped too']);
    assert.deepEqual(sink.lines.map((l) => [l.level, l.message]), [['info', '0123456789'], ['info', 'abcde']]);
    assert.equal(sink.truncated, true);
    const lines = sink.finish();
    assert.equal(lines.length, 3);
    assert.match(lines[2]!.message, /^log truncated at \d+ bytes as stored or 100 lines .*: the last line kept was cut, 2 more lines dropped$/);
  });

  it('counts escapes as stored: a line of quotes and control characters costs what its JSON costs', () => {
    const sink = createLogSink({ maxBytes: 4096, maxLines: 1000 });
    for (let i = 0; i < 100; i++) sink.write('info', ['"\\\u0001'.repeat(100)]);
    const stored = sink.lines.reduce((n, l) => n + storedLineBytes(l), 0);
    assert.ok(stored <= 4096, `${stored} bytes stored`);
    assert.ok(Buffer.byteLength(JSON.stringify(sink.finish())) <= 4096 + 300);
  });

  it('caps the number of lines: empty lines are not free', () => {
    const sink = createLogSink({ maxBytes: 1024 * 1024, maxLines: 10 });
    for (let i = 0; i < 1000; i++) sink.write('info', ['']);
    assert.equal(sink.lines.length, 10);
    assert.match(sink.finish().at(-1)!.message, /990 more lines dropped$/);
  });

  it('a sink that never filled has no marker', () => {
    const sink = createLogSink({ maxBytes: 1024, maxLines: 10 });
    sink.write('info', ['one']);
    assert.equal(sink.truncated, false);
    assert.deepEqual(sink.finish().map((l) => l.message), ['one']);
  });

  it('redacts secrets inside strings and keys before JSON escaping could hide them', () => {
    const secret = 'pa"ss\\wo\nrd-é';
    const redact = createRedactor([secret])!;
    const sink = createLogSink({ maxBytes: 4096, maxLines: 100 }, redact);
    sink.write('info', ['plain', secret]);
    sink.write('info', [{ nested: { value: secret, [secret]: 1 }, list: [`x${secret}y`] }]);
    sink.write('info', [JSON.stringify({ already: secret })]);
    sink.write('info', [`url ?q=${encodeURIComponent(secret)}`]);
    const text = JSON.stringify(sink.finish());
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) assert.ok(!text.includes(form), `${form} in ${text}`);
    assert.deepEqual(sink.lines.map((l) => l.message), [
      'plain [redacted]',
      '{"nested":{"value":"[redacted]","[redacted]":1},"list":["x[redacted]y"]}',
      '{"already":"[redacted]"}',
      'url ?q=[redacted]',
    ]);
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
