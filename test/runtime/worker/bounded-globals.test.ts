import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFixture, taskFor, useSandbox } from '../harness.ts';

type Probes = Record<string, unknown>;

// Error messages are the implementations' own; the error's name is the behaviour compared.
function withoutMessages(probes: Probes): Probes {
  return Object.fromEntries(Object.entries(probes).map(([name, value]) =>
    [name, typeof value === 'string' && value.startsWith('threw ') ? value.replace(/:.*$/s, '') : value]));
}

describe('the bounded web-standard globals behave as Node\'s own for normal inputs', () => {
  const runtime = useSandbox();

  it('each probe gives in a hook what it gives with Node\'s globals', async () => {
    const fixture = new URL('../../fixtures/hooks/web-globals-normal.js', import.meta.url);
    const { default: probe } = (await import(fixture.href)) as { default: () => Promise<Probes> };
    const expected = withoutMessages(await probe());
    const outcome = await runtime.sandbox.run(taskFor(await compileFixture(runtime.compiler, 'web-globals-normal.js')));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    const actual = withoutMessages(outcome.value as Probes);
    for (const name of Object.keys(expected)) assert.deepEqual(actual[name], expected[name], name);
    assert.equal(Object.keys(actual).length, Object.keys(expected).length);
  });
});
