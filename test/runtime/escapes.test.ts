import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../helpers/sandbox-options.ts';
import { type HookOutcome } from '../../runtime/index.ts';
import { compileFixture, taskFor, useSandbox } from './harness.ts';

const HOST_PATH = /\/work\/|file:|node_modules|\.ts\b|runtime\//;

function okValue(outcome: HookOutcome): Record<string, unknown> {
  assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
  return outcome.value as Record<string, unknown>;
}

describe('a hook cannot escape its compartment', () => {
  const runtime = useSandbox();
  const { compiler } = runtime;

  it('finds no process, require, import or host globals through constructors or eval', async () => {
    const value = okValue(await runtime.sandbox.run(taskFor(await compileFixture(compiler, 'escapes.js'))));
    const { globals, ...attempts } = value;
    for (const [attempt, reached] of Object.entries(attempts)) {
      // Each attempt ends in nothing (undefined) or an exception, never in a host object.
      assert.match(String(reached), /^(undefined|blocked: \w+)$/, attempt);
    }
    assert.match(String(value.ctxFunctionChain), /^blocked: TypeError/);
    assert.match(String(value.evalImport), /^blocked: SyntaxError/);
    assert.match(String(value.functionImport), /^blocked: SyntaxError/);
    assert.equal(value.indirectEval, 'undefined');
    assert.equal(globals, Array(14).fill('undefined').join(','));
  });

  it('sees no host paths or call sites, whatever it does with Error', async () => {
    const value = okValue(await runtime.sandbox.run(taskFor(await compileFixture(compiler, 'stack-tricks.js'))));
    for (const [key, text] of Object.entries(value)) assert.doesNotMatch(String(text), HOST_PATH, key);
    assert.doesNotMatch(String(value.stack), /at /);
  });

  it('gets its own file and line in the stack of the error it throws, and nothing else', async () => {
    const outcome = await runtime.sandbox.run(taskFor(await compileFixture(compiler, 'throws.js'), { payload: {} }));
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.name, 'TypeError');
    assert.equal(outcome.error?.message, 'bad test.event');
    assert.equal(outcome.error?.line, 5);
    assert.equal(outcome.error?.column, 9);
    assert.equal(outcome.error?.stack, 'TypeError: bad test.event\n    at default (hooks/throws.js:5:9)');
  });

  it('cannot pollute shared prototypes or globals for another hook', async () => {
    const pollute = await compileFixture(compiler, 'pollute.js');
    const refused = okValue(await runtime.sandbox.run(taskFor(pollute, { hookId: 'polluter' })));
    for (const [attempt, wasRefused] of Object.entries(refused)) assert.equal(wasRefused, true, attempt);
    const seen = okValue(await runtime.sandbox.run(taskFor(await compileFixture(compiler, 'observe.js'), { hookId: 'observer' })));
    assert.deepEqual(seen, {
      polluted: null,
      evil: null,
      pushWorks: true,
      json: 1,
      leaked: null,
      url: 'https://example.test/a',
      random: 'number',
    });
  });

  it('cannot change the event or ctx it is given', async () => {
    const value = okValue(await runtime.sandbox.run(taskFor(await compileFixture(compiler, 'mutate.js'), { hookId: 'mutator', payload: { a: 1 } })));
    assert.deepEqual(value.results, {
      eventType: 'TypeError',
      payloadField: 'TypeError',
      ctxLog: 'TypeError',
      ctxHook: 'TypeError',
      ctxNew: 'TypeError',
    });
    assert.equal(value.type, 'test.event');
    assert.equal(value.hookId, 'mutator');
  });

  it('has the web helpers and working clocks it needs', async () => {
    const value = okValue(await runtime.sandbox.run(taskFor(await compileFixture(compiler, 'web-globals.js'))));
    assert.deepEqual(value, {
      host: 'example.test',
      y: '2',
      bytes: 6,
      text: 'héllo',
      b64: 'aGk=',
      unb64: 'hi',
      clone: { a: [1, 2] },
      now: true,
      date: true,
      random: true,
    });
  });

  it('logs to its invocation as strings, never through a host inspector, within the byte cap', async () => {
    const hook = await compileFixture(compiler, 'logs.js');
    const outcome = await runtime.sandbox.run(taskFor(hook, { payload: { spam: 0 } }));
    assert.equal(outcome.status, 'ok');
    assert.deepEqual(outcome.logs.map((line) => [line.level, line.message]), [
      ['info', 'plain 42 true null undefined 10n'],
      ['info', '{"a":[1,{"b":2}]} {}'],
      ['warn', '{"name":"loop","self":"[Circular]"}'],
      ['error', 'TypeError: shown'],
      ['debug', 'debug line'],
      ['info', 'info line'],
      ['warn', 'warn line'],
      ['error', 'error line'],
    ]);
    assert.equal(outcome.logsTruncated, undefined);
    const spammy = await runtime.sandbox.run(taskFor(hook, { payload: { spam: 5_000 } }));
    assert.equal(spammy.status, 'ok');
    assert.equal(spammy.logsTruncated, true);
    // Counted as stored: the lines' JSON, plus the one marker line saying what was dropped.
    const bytes = Buffer.byteLength(JSON.stringify(spammy.logs));
    assert.ok(bytes <= DEFAULT_SANDBOX_OPTIONS.maxLogBytes + 1024, `${bytes} bytes of logs`);
  });
});
