// The server keys on slow and surplus clients: safe defaults, units, and the combinations Node
// or the streams cannot work with refused as config errors naming the key.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../../lib/config/index.ts';
import { isHookdError } from '../../../lib/errors.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
let files = 0;
const load = (text: string) => {
  const file = join(temp.dir, `c${files++}.yaml`);
  writeFileSync(file, text);
  return loadConfig({ file, env: {} });
};

test('defaults bound slow clients and connections; durations take units', () => {
  const d = load('{}\n').server;
  assert.deepEqual([d.requestTimeoutMs, d.headersTimeoutMs, d.keepAliveTimeoutMs, d.maxConnections], [30_000, 10_000, 5_000, 1000]);
  const c = load('server:\n  requestTimeout: 2m\n  headersTimeout: 20s\n  keepAliveTimeout: 1s\n  maxConnections: 200\n').server;
  assert.deepEqual([c.requestTimeoutMs, c.headersTimeoutMs, c.keepAliveTimeoutMs, c.maxConnections], [120_000, 20_000, 1000, 200]);
  assert.equal(load('stream:\n  maxClients: 5000\n').server.maxConnections, 5100, 'unset, it stays above many streams: such a config stays valid');
});

const refused: Array<[string, string, RegExp]> = [
  ['no request timeout (Node would wait for ever)', 'server:\n  requestTimeout: 0\n', /server\.requestTimeout: must be above 0/],
  ['headers allowed longer than the request', 'server:\n  requestTimeout: 5s\n  headersTimeout: 6s\n', /server\.headersTimeout: must be at most server\.requestTimeout/],
  ['streams alone filling the connections', 'server:\n  maxConnections: 100\n', /server\.maxConnections: must be above stream\.maxClients \(100\)/],
  ['a connection cap of 0', 'server:\n  maxConnections: 0\n', /server\.maxConnections/],
];
for (const [name, text, pattern] of refused) {
  test(`refused: ${name}`, () => {
    assert.throws(() => load(text), (e: unknown) => isHookdError(e) && e.code === 'CONFIG' && pattern.test(e.message));
  });
}
